import { COMMON_PASSWORD_WORDS, KEYBOARD_RUNS } from "./common-passwords.js";

/** Shortest admin password accepted (in characters, as code points). */
export const MIN_ADMIN_PASSWORD_LENGTH = 12;

/** Letters that stand in for others in "l33t" spellings: "p@ssw0rd" is "password". */
const LEET: Readonly<Record<string, string>> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s", "!": "i" };

/**
 * Why `password` is too weak for an admin, or undefined. A compact check, no dictionary package: at
 * least 12 characters, not blank, not one short unit repeated ("abcabcabcabc", twelve spaces), and
 * not a common password: once the digits and symbols around it are taken off (also after undoing l33t
 * spellings), what is left must not be a word from COMMON_PASSWORD_WORDS or a keyboard run.
 */
export function adminPasswordWeakness(password: string): string | undefined {
  const characters = [...password];
  if (characters.length < MIN_ADMIN_PASSWORD_LENGTH) return `shorter than ${MIN_ADMIN_PASSWORD_LENGTH} characters`;
  if (password.trim() === "") return "only whitespace";
  if (isRepetitive(characters)) return "one short pattern repeated";
  if (isCommon(password.toLowerCase())) return "a common password (a common word or keyboard run, with only digits or symbols added)";
  return undefined;
}

/** The whole password is a unit repeated (any unit up to half its length), or has under 4 distinct characters. */
function isRepetitive(characters: readonly string[]): boolean {
  if (new Set(characters).size < 4) return true;
  const text = characters.join("");
  for (let unit = 1; unit <= characters.length / 2; unit++) {
    if (characters.length % unit === 0 && characters.slice(0, unit).join("").repeat(characters.length / unit) === text) return true;
  }
  return false;
}

function isCommon(lower: string): boolean {
  // The core: what is left once digits, symbols and spaces are taken off both ends.
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, "");
  for (const candidate of new Set([core, [...core].map((c) => LEET[c] ?? c).join("")])) {
    const squeezed = candidate.replace(/[\s._-]+/g, "");
    if (COMMON_PASSWORD_WORDS.has(candidate) || COMMON_PASSWORD_WORDS.has(squeezed) || isRun(squeezed) || isRepeatOfCommon(squeezed)) return true;
  }
  // Without a word, a digit or symbol run with a few letters or symbols around it ("1234567890ab",
  // "0987654321!!") is that run.
  if (lower.replace(/[^\p{L}]/gu, "").length >= 4) return false;
  const rest = lower.replace(/[\p{L}\s]/gu, "");
  return isRun(rest) || isRun(rest.replace(/[^0-9]/g, ""));
}

/** Part of one keyboard run, forwards or backwards; runs repeat ("qwertyqwerty" walks the row twice). */
function isRun(text: string): boolean {
  if (text.length < 3) return false;
  return KEYBOARD_RUNS.some((run) => {
    const cycle = run.repeat(Math.ceil(text.length / run.length) + 1);
    const backwards = [...cycle].reverse().join("");
    return cycle.includes(text) || backwards.includes(text);
  });
}

/** "passwordpassword", "adminadmin2024": a common word said twice or more. */
function isRepeatOfCommon(text: string): boolean {
  for (const word of COMMON_PASSWORD_WORDS) {
    if (text.length % word.length === 0 && word.repeat(text.length / word.length) === text) return true;
  }
  return false;
}
