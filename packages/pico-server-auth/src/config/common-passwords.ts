/**
 * The words behind the most common passwords, lower case, with the digits and symbols people add
 * around them taken off: "password1", "P@ssw0rd!" and "Password2024" all come down to "password".
 *
 * Source: the top of the public breach-derived lists (the UK NCSC's "100,000 most common passwords"
 * from Have I Been Pwned, and SecLists' "10-million-password-list-top-1000"), reduced that way and
 * deduplicated, plus the defaults of admin consoles. Small on purpose: it catches what a guesser tries
 * first, not every weak password; a length of 12 and the rules in password-policy.ts do the rest.
 * A dictionary package (zxcvbn-ts with its word lists, over a megabyte) was considered and left out:
 * one admin password checked once at boot does not need a strength estimator.
 */
export const COMMON_PASSWORD_WORDS: ReadonlySet<string> = new Set([
  "password", "passwort", "passw", "pass", "passwd", "pwd", "motdepasse", "contrasena", "senha", "parola", "haslo", "salasana",
  "admin", "administrator", "adminadmin", "root", "toor", "superuser", "sysadmin", "manager", "master", "guest", "user", "test",
  "tester", "testing", "demo", "default", "changeme", "changeit", "secret", "login", "letmein", "welcome", "access", "hello",
  "iloveyou", "loveme", "lovely", "love", "trustno", "whatever", "freedom", "princess", "sunshine", "shadow", "dragon", "monkey",
  "football", "baseball", "basketball", "soccer", "hockey", "superman", "batman", "spiderman", "starwars", "pokemon", "naruto",
  "michael", "jennifer", "jordan", "charlie", "daniel", "thomas", "robert", "andrew", "george", "jessica", "ashley", "michelle",
  "hunter", "ranger", "buster", "killer", "tigger", "pepper", "ginger", "cookie", "chocolate", "summer", "winter", "spring",
  "autumn", "flower", "computer", "internet", "google", "samsung", "apple", "microsoft", "facebook", "liverpool", "chelsea",
  "arsenal", "matrix", "mustang", "harley", "ferrari", "corvette", "maverick", "blink", "zaq", "azerty", "qwertz", "qwerty",
  "abc", "abcd", "asdf", "zxcv", "qaz", "qazwsx", "aaa", "passpass", "mypassword", "newpassword", "yourpassword", "pico",
  "picoboot", "pico-boot", "picoauth", "server", "auth", "secure", "security", "private", "company", "office", "business",
]);

/**
 * Keyboard rows and orders people walk along. A password made of one run (forwards or backwards) plus
 * digits and symbols is refused; the digit row catches "123456789012".
 */
export const KEYBOARD_RUNS: readonly string[] = [
  "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop", "qsdfghjklm", "wxcvbn",
  "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp",
  "abcdefghijklmnopqrstuvwxyz", "1234567890", "!@#$%^&*()_+",
];
