import { appendFile, chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Reads a JSON file of the data directory, or undefined when it does not exist. */
export async function readJsonFile<T>(dir: string, name: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, name), "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Writes atomically (temp file + rename) with mode 0600, so a crash never leaves half a file. */
export async function writeJsonFile(dir: string, name: string, value: unknown): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${name}.${process.pid}.tmp`);
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, join(dir, name));
}

/** Every JSON line of a data-directory file; a torn last line (a crash mid-append) is skipped. */
export async function readJsonLines<T>(dir: string, name: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(join(dir, name), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const values: T[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      values.push(JSON.parse(line) as T);
    } catch {
      // Only an interrupted final append can leave a partial line.
    }
  }
  return values;
}

/** Appends one JSON line, creating the file with mode 0600. */
export async function appendJsonLine(dir: string, name: string, value: unknown): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await appendFile(join(dir, name), `${JSON.stringify(value)}\n`, { mode: 0o600 });
}
