/**
 * Command-line flags of the bench scripts: `--name value`, or the fallback when the flag is
 * absent or has no value after it.
 */
export function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
