using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Provisioning.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StackSecretOptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SecretOptions",
                table: "stacks",
                type: "TEXT",
                nullable: false,
                defaultValueSql: "'[]'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SecretOptions",
                table: "stacks");
        }
    }
}
