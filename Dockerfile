# Airbyte Portal: the Blazor Server portal with the ACME client it runs (lego).
#   docker build -t airbyte-portal .
#   docker run -p 8080:8080 -e ASPNETCORE_ENVIRONMENT=Development -e Portal__EmbeddedSandbox=true airbyte-portal   # a try-out
# Runs as the image's non-root `app` user (uid 1654) from a read-only /app; writes only to /tmp and
# /var/lib/portal (mount both writable when the root filesystem is read-only, as deploy/kustomize does).
# .NET 10 images are Ubuntu 24.04 ("noble"); Microsoft ships no Debian images for .NET 10.

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
# Restore first, from the project files alone, so that the layer is reused while only sources change.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Domain/Domain.csproj src/Domain/
COPY src/Provisioning/Provisioning.csproj src/Provisioning/
COPY src/Sandbox/Sandbox.csproj src/Sandbox/
COPY src/Portal/Portal.csproj src/Portal/
RUN dotnet restore src/Portal/Portal.csproj
COPY appsettings*.json ./
COPY wwwroot/ wwwroot/
COPY src/ src/
COPY deploy/publish.sh deploy/
RUN bash deploy/publish.sh /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
# lego: the ACME client the portal runs for the lego component's `issuer: acme` (Portal:Certificates:LegoPath).
RUN apt-get update \
 && apt-get install -y --no-install-recommends lego ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o 1654 -g 1654 -m 0750 /var/lib/portal
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1 \
    Portal__DataDirectory=/var/lib/portal \
    Portal__EmbeddedSandbox=false \
    Portal__Certificates__LegoPath=/usr/bin/lego
EXPOSE 8080 8089
USER 1654:1654
ENTRYPOINT ["dotnet", "Portal.dll"]
