using Microsoft.AspNetCore.Mvc;

namespace Diagnostics.Cloud.Http;

/// <summary>Problem details (<c>application/problem+json</c>) in one shape for every API of the cloud.</summary>
public static class ApiProblems
{
    public static ProblemDetails Create(int status, string title, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Type = $"https://httpstatuses.io/{status}",
    };
}
