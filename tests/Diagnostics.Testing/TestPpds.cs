using System.Text;

namespace Diagnostics.Testing;

/// <summary>
/// PostScript printer PPDs as a printer maker ships them (they pass <c>cupstestppd</c>), one per driver version, for
/// host tests: a version is its <c>*FileVersion</c> and is named in its <c>*NickName</c>.
/// </summary>
public static class TestPpds
{
    public const string Manufacturer = "Acme";

    /// <summary>ippeveprinter's model in <see cref="IppEvePrinter"/>: what the printer reports as printer-make-and-model.</summary>
    public const string Model = "Acme LaserPro 500";

    /// <param name="filter">A filter the driver runs (<c>*cupsFilter</c>), e.g. <see cref="CupsServer.FailingFilter"/>; null: a plain PostScript printer.</param>
    public static byte[] Ppd(string version, string? filter = null, string model = Model) => Encoding.ASCII.GetBytes($"""
        *PPD-Adobe: "4.3"
        *FormatVersion: "4.3"
        *FileVersion: "{version}"
        *LanguageVersion: English
        *LanguageEncoding: ISOLatin1
        *PCFileName: "ACMELP5.PPD"
        *Manufacturer: "{Manufacturer}"
        *Product: "({model[(Manufacturer.Length + 1)..]})"
        *ModelName: "{model}"
        *ShortNickName: "{model}"
        *NickName: "{model} Diagnostics Driver {version}"
        *PSVersion: "(3010.000) 0"
        *LanguageLevel: "3"
        *ColorDevice: False
        *DefaultColorSpace: Gray
        *FileSystem: False
        *Throughput: "20"
        *LandscapeOrientation: Plus90
        *TTRasterizer: Type42
        {(filter is null ? "" : $"*cupsFilter: \"application/vnd.cups-postscript 0 {filter}\"")}
        *OpenUI *PageSize/Media Size: PickOne
        *OrderDependency: 10 AnySetup *PageSize
        *DefaultPageSize: A4
        *PageSize A4/A4: "<</PageSize[595 842]/ImagingBBox null>>setpagedevice"
        *PageSize Letter/US Letter: "<</PageSize[612 792]/ImagingBBox null>>setpagedevice"
        *CloseUI: *PageSize
        *OpenUI *PageRegion/Media Size: PickOne
        *OrderDependency: 10 AnySetup *PageRegion
        *DefaultPageRegion: A4
        *PageRegion A4/A4: "<</PageSize[595 842]/ImagingBBox null>>setpagedevice"
        *PageRegion Letter/US Letter: "<</PageSize[612 792]/ImagingBBox null>>setpagedevice"
        *CloseUI: *PageRegion
        *DefaultImageableArea: A4
        *ImageableArea A4/A4: "18 36 577 806"
        *ImageableArea Letter/US Letter: "18 36 594 756"
        *DefaultPaperDimension: A4
        *PaperDimension A4/A4: "595 842"
        *PaperDimension Letter/US Letter: "612 792"
        *DefaultFont: Courier
        *Font Courier: Standard "(002.004S)" Standard ROM

        """.Replace("\r\n", "\n", StringComparison.Ordinal));
}
