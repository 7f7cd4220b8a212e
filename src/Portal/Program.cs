using Portal;

// Content root is the output folder: the root appsettings.json and wwwroot/ are linked into it (see Portal.csproj).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

builder.AddPortal();

var app = builder.Build();
app.UsePortal();
app.Run();

/// <summary>The portal's entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
