import { describe, expect, it } from "vitest";
import { adminPasswordWeakness } from "../src/config/password-policy.js";
import { ADMIN } from "./support.js";

describe("admin password policy", () => {
  it("refuses short, blank, repetitive and common passwords, with the reason", () => {
    const cases: [string, string][] = [
      ["password", "shorter than 12 characters"],
      ["admin", "shorter than 12 characters"],
      ["        ", "shorter than 12 characters"],
      ["            ", "only whitespace"],
      ["\t \n          ", "only whitespace"],
      ["aaaaaaaaaaaa", "one short pattern repeated"],
      ["abcabcabcabc", "one short pattern repeated"],
      ["passwordpassword", "one short pattern repeated"],
    ];
    for (const [password, reason] of cases) expect([password, adminPasswordWeakness(password)]).toEqual([password, reason]);
  });

  it("a common word or keyboard run with only digits and symbols added is common, l33t spellings too", () => {
    const common = ["password1234", "Password2024!", "P@ssw0rd2024!", "!!Welcome123!!", "administrator", "admin12345678", "qwertyuiop12", "Qwerty123456!", "123456789012", "1234567890ab", "0987654321!!", "asdfghjkl;123", "zxcvbnm12345", "iloveyou2024", "letmein12345", "changeme2024", "adminadmin2024", "1qaz2wsx3edc", "abcdefghijkl", "pico-boot-2024", "!@#$%^&*()_+"];
    for (const password of common) expect([password, adminPasswordWeakness(password)]).toEqual([password, expect.stringContaining("a common password")]);
  });

  it("accepts long passphrases and random strings, including the test suite's ADMIN password", () => {
    for (const password of [ADMIN.password, "standalone-test-password", "a-long-test-password", "from-a-vault-123", "pässwörd for tëst", "8f3k2x9q7w1z", "bBcjtNLpB5YnxtIIjBv23CXU", "correct horse battery staple"]) {
      expect([password, adminPasswordWeakness(password)]).toEqual([password, undefined]);
    }
  });
});
