/**
 * Python's rules for text that MLflow's parsers lean on, in one place: what `str.isspace()` calls
 * whitespace (which `\s`, `str.strip()` and `str.split()` use), and the Unicode decimal digits that
 * `int()` and `float()` read like ASCII ones (`int("٣") == 3`).
 */

/** A regex character class of Python's whitespace (`str.isspace()`), for building patterns. */
export const PY_SPACE_CLASS = String.raw`[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]`;

const LEADING_OR_TRAILING_SPACE = new RegExp(`^${PY_SPACE_CLASS}+|${PY_SPACE_CLASS}+$`, "gu");
const SPACE_RUN = new RegExp(`${PY_SPACE_CLASS}+`, "u");

/**
 * Python's `str.strip()`.
 * @example
 * pythonStrip("\x1c a \x85") // "a"
 */
export function pythonStrip(text: string): string {
  return text.replace(LEADING_OR_TRAILING_SPACE, "");
}

/**
 * Python's `str.split()` without arguments: runs of whitespace separate, none at the ends.
 * @example
 * pythonSplit(" GO  2 ") // ["GO", "2"]
 */
export function pythonSplit(text: string): string[] {
  return text.split(SPACE_RUN).filter((part) => part !== "");
}

/**
 * Unicode decimal digits replaced by their ASCII digit, as `int()` and `float()` read them. Every
 * block of `\p{Nd}` characters is made of whole runs of ten starting at a zero, so a digit's value
 * is its distance from the start of its block, modulo 10.
 * @example
 * asciiDigits("٣.5") // "3.5"
 */
export function asciiDigits(text: string): string {
  return text.replace(/\p{Nd}/gu, (digit) => {
    const code = digit.codePointAt(0)!;
    let start = code;
    while (code - start < MAX_DIGIT_BLOCK && /\p{Nd}/u.test(String.fromCodePoint(start - 1))) start -= 1;
    return String((code - start) % 10);
  });
}

/** Longest block of adjoining decimal digits in Unicode (the five mathematical digit styles). */
const MAX_DIGIT_BLOCK = 50;
