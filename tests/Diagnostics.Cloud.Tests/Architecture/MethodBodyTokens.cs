using System.Reflection;
using System.Reflection.Emit;

namespace Diagnostics.Cloud.Tests.Architecture;

/// <summary>
/// A compiled method body's instructions in order and the metadata tokens they carry (the strings it loads, the types,
/// methods and fields it names), read from its IL with reflection's own opcode table. One decoder for every test that
/// reads code as compiled (the architecture tests, the hard-coded text scan), so a fix to how operands are stepped over
/// reaches all of them.
/// </summary>
internal static class MethodBodyTokens
{
    /// <summary>Every member a type declares itself, whatever its visibility.</summary>
    public const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
        | BindingFlags.Static | BindingFlags.DeclaredOnly;

    // Every IL opcode by its encoding, to step over operands we do not read.
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    /// <summary>The methods and constructors a type declares: the bodies a check reads.</summary>
    public static IEnumerable<MethodBase> BodiesOf(Type type) =>
        type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));

    /// <summary>The strings a method body loads (<c>ldstr</c>), in IL order.</summary>
    public static IEnumerable<string> StringsLoadedBy(MethodBase method) =>
        from instruction in InstructionsOf(method)
        where instruction.Code.OperandType == OperandType.InlineString
        select method.Module.ResolveString(instruction.Token);

    /// <summary>The types, methods and fields a method body names (calls, field access, <c>typeof</c>, <c>newobj</c> …).</summary>
    public static IEnumerable<MemberInfo> MembersNamedBy(MethodBase method) =>
        from instruction in InstructionsOf(method)
        where instruction.NamesMember
        let member = MemberNamedBy(method, instruction)
        where member is not null
        select member;

    /// <summary>The type, method or field an instruction of <paramref name="method"/> names, resolved in the method's generic context.</summary>
    public static MemberInfo? MemberNamedBy(MethodBase method, Instruction instruction)
    {
        if (!instruction.NamesMember)
        {
            throw new ArgumentException($"{instruction.Code} names no member.", nameof(instruction));
        }

        var typeArguments = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        return method.Module.ResolveMember(instruction.Token, typeArguments, methodArguments);
    }

    /// <summary>
    /// A method body's instructions in IL order, for a check that needs their sequence (an <c>ldstr</c> right before the
    /// call that takes it) rather than only the tokens they carry.
    /// </summary>
    public static IEnumerable<Instruction> InstructionsOf(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[position++]);
            }

            var code = OpCodesByValue[value];
            yield return new Instruction(code, Instruction.CarriesToken(code) ? BitConverter.ToInt32(il, position) : 0);

            // ECMA-335 §III.1.9: operand sizes by kind; a switch carries its count then one 4-byte target per case.
            position += code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
                _ => 4,
            };
        }
    }

    /// <summary>One IL instruction: its opcode and, when its operand is a metadata token (a string, type, method or field), that token.</summary>
    public readonly record struct Instruction(OpCode Code, int Token)
    {
        /// <summary>Whether the operand names a type, method or field (not a string).</summary>
        public bool NamesMember => Code.OperandType is OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok;

        /// <summary>A call (<c>call</c> or <c>callvirt</c>), whose token names the method called.</summary>
        public bool IsCall => Code == OpCodes.Call || Code == OpCodes.Callvirt;

        internal static bool CarriesToken(OpCode code) => code.OperandType is OperandType.InlineString or OperandType.InlineType
            or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok;
    }
}
