/** The `crossrole` command (placeholder until the CLI issue lands). */
export async function main(_argv: readonly string[]): Promise<number> {
  console.error('crossrole: the CLI is not built yet');
  return 1;
}
