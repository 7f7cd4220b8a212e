using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Provisioning.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OperationTraceParent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TraceParent",
                table: "operations",
                type: "TEXT",
                maxLength: 55,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TraceParent",
                table: "operations");
        }
    }
}
