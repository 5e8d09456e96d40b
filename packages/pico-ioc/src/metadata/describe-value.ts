/** How an option's actual value appears in a DecoratorMisuseError: `got "Clock"`, `got null`, `got an array`. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return `class ${value.name || "<anonymous>"}`;
  if (typeof value === "symbol") return `token ${value.description ?? ""}`.trimEnd();
  return typeof value;
}
