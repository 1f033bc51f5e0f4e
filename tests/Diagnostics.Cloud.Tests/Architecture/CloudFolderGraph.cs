using System.Reflection;

namespace Diagnostics.Cloud.Tests.Architecture;

/// <summary>
/// Which top-level folders of the cloud (<c>Diagnostics.Cloud.&lt;Folder&gt;</c>) use which others, read from the compiled
/// assembly: base types, interfaces, attributes, fields, properties, method signatures and every type, method or field a
/// method body names (its IL tokens). Compiler-generated types (lambdas, async state machines) count for the type that
/// declares them, so a dependency cannot hide inside a closure.
/// </summary>
internal sealed class CloudFolderGraph
{
    private const string Root = "Diagnostics.Cloud.";

    private CloudFolderGraph(IReadOnlyDictionary<string, IReadOnlySet<string>> edges) => Edges = edges;

    /// <summary>For each folder, the other folders its types use.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> Edges { get; }

    /// <summary>The folder a type belongs to, or null for types outside the cloud's folders (framework, root namespace).</summary>
    public static string? FolderOf(Type? type)
    {
        while (type?.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        var name = type?.Namespace;
        if (name is null || !name.StartsWith(Root, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = name[Root.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    public static CloudFolderGraph Of(Assembly assembly)
    {
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            var from = FolderOf(type);
            if (from is null)
            {
                continue;
            }

            var targets = edges.TryGetValue(from, out var existing) ? existing : edges[from] = new(StringComparer.Ordinal);
            foreach (var used in TypesUsedBy(type))
            {
                var to = FolderOf(used);
                if (to is not null && to != from)
                {
                    targets.Add(to);
                }
            }
        }

        return new CloudFolderGraph(edges.ToDictionary(pair => pair.Key, pair => (IReadOnlySet<string>)pair.Value, StringComparer.Ordinal));
    }

    /// <summary>Strongly connected components with more than one folder (Tarjan), largest first: each is a cycle.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = 0;
        var indices = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowLinks = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<IReadOnlyList<string>>();

        void Connect(string folder)
        {
            indices[folder] = lowLinks[folder] = index++;
            stack.Push(folder);
            onStack.Add(folder);
            foreach (var next in Edges.TryGetValue(folder, out var targets) ? targets : new HashSet<string>())
            {
                if (!indices.TryGetValue(next, out var nextIndex))
                {
                    Connect(next);
                    lowLinks[folder] = Math.Min(lowLinks[folder], lowLinks[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowLinks[folder] = Math.Min(lowLinks[folder], nextIndex);
                }
            }

            if (lowLinks[folder] != indices[folder])
            {
                return;
            }

            var component = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            }
            while (member != folder);

            if (component.Count > 1)
            {
                component.Sort(StringComparer.Ordinal);
                components.Add(component);
            }
        }

        foreach (var folder in Edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!indices.ContainsKey(folder))
            {
                Connect(folder);
            }
        }

        return [.. components.OrderByDescending(component => component.Count)];
    }

    /// <summary>The edges inside one component, "From -> To", to show why the folders are tied together.</summary>
    public IEnumerable<string> EdgesWithin(IReadOnlyCollection<string> component) =>
        from source in component.Order(StringComparer.Ordinal)
        from target in Edges.TryGetValue(source, out var targets) ? targets.Order(StringComparer.Ordinal) : Enumerable.Empty<string>()
        where component.Contains(target)
        select $"{source} -> {target}";

    private static IEnumerable<Type> TypesUsedBy(Type type)
    {
        var used = new List<Type?> { type.BaseType };
        used.AddRange(type.GetInterfaces());
        used.AddRange(AttributeTypes(type));
        foreach (var field in type.GetFields(MethodBodyTokens.Declared))
        {
            used.Add(field.FieldType);
            used.AddRange(AttributeTypes(field));
        }

        foreach (var property in type.GetProperties(MethodBodyTokens.Declared))
        {
            used.Add(property.PropertyType);
            used.AddRange(AttributeTypes(property));
        }

        foreach (var method in MethodBodyTokens.BodiesOf(type))
        {
            used.AddRange(AttributeTypes(method));
            if (method is MethodInfo info)
            {
                used.Add(info.ReturnType);
            }

            foreach (var parameter in method.GetParameters())
            {
                used.Add(parameter.ParameterType);
            }

            used.AddRange(TypesNamedInBody(method));
        }

        return used.SelectMany(Expand);
    }

    private static IEnumerable<Type> AttributeTypes(MemberInfo member) =>
        member.CustomAttributes.Select(attribute => attribute.AttributeType);

    // A generic instance, array or by-ref type uses its element and argument types too.
    private static IEnumerable<Type> Expand(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var element in Expand(type.GetElementType()))
            {
                yield return element;
            }

            yield break;
        }

        yield return type;
        if (type.IsConstructedGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return argument;
            }
        }
    }

    private static IEnumerable<Type?> TypesNamedInBody(MethodBase method)
    {
        foreach (var member in MethodBodyTokens.MembersNamedBy(method))
        {
            yield return member as Type ?? member.DeclaringType;
            if (member is MethodInfo called)
            {
                yield return called.ReturnType;
            }
            else if (member is FieldInfo field)
            {
                yield return field.FieldType;
            }
        }
    }
}
