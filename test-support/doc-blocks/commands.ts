/** One shell command of a `doc:run` block, with what its trailing comment asks of it. */
export interface DocCommand {
  /** The command as written (continuation lines kept), without its trailing comment. */
  readonly command: string;
  /** 1-based line in the page. */
  readonly line: number;
  readonly comment: string;
  /** The comment says "listens on": the command is a server that keeps running. */
  readonly server: boolean;
  /** The comment states the output: an HTTP status, a JSON body, or both. */
  readonly expect?: { readonly status?: number; readonly body?: unknown };
}

/** The commands of a run block whose text starts at page line `firstLine`. */
export function docCommands(text: string, firstLine: number): DocCommand[] {
  const commands: DocCommand[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let joined = lines[i] as string;
    while (joined.endsWith("\\") && i + 1 < lines.length) joined = `${joined}\n${lines[++i]}`;
    const { command, comment } = splitComment(joined);
    if (!command.trim()) continue;
    const line = firstLine + start;
    commands.push({ command: command.trimEnd(), line, comment, server: /listens on/.test(comment), ...expectation(comment, line) });
  }
  return commands;
}

/** Splits off a trailing `# comment` that stands outside quotes and after white space. */
function splitComment(line: string): { command: string; comment: string } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "\\") i++;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1] as string))) return { command: line.slice(0, i), comment: line.slice(i + 1).trim() };
  }
  return { command: line, comment: "" };
}

const STATUS = /^(\d{3})(?:\s+(.*))?$/;

function expectation(comment: string, line: number): Pick<DocCommand, "expect"> {
  const status = STATUS.exec(comment);
  const json = status ? status[2] : /^[[{"]/.test(comment) ? comment : undefined;
  if (!status && json === undefined) return {};
  if (json === undefined) return { expect: { status: Number(status?.[1]) } };
  try {
    return { expect: { ...(status ? { status: Number(status[1]) } : {}), body: JSON.parse(json) } };
  } catch {
    throw new Error(`line ${line}: the comment "# ${comment}" reads as expected output, but ${JSON.stringify(json)} is not JSON`);
  }
}
