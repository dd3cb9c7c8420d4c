export async function start(): Promise<unknown> {
  return import('../local/stack.js');
}
