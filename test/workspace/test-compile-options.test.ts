import "pico-ioc"; // loads reflect-metadata, which stores the design:* metadata read below
import { expect, it } from "vitest";

// Vite compiles the test files, not tsc. No package's tsconfig includes them; the root tsconfig.json
// references tsconfig.test.json, which does, and Vite follows the reference, so a test file gets the
// options tsc builds the packages with. Without it, class fields here would follow the ES semantics
// while the packages and users' apps follow tsc's: a test could pass on behaviour nobody ships.

const calls: number[] = [];
const recordArity = (...args: unknown[]): void => void calls.push(args.length);

class Dependency {}

@(recordArity as ClassDecorator)
class Probe {
  declaredOnly!: string;
  initialised = 1;
  constructor(readonly dependency: Dependency) {}
  @(recordArity as MethodDecorator)
  method(_dependency: Dependency): void {}
}

it("legacy decorators: a method decorator gets (prototype, name, descriptor), a class decorator the class", () => {
  expect(calls).toEqual([3, 1]);
});

it("design:* metadata is emitted (emitDecoratorMetadata), as pico-ioc's injection and settings read it", () => {
  expect(Reflect.getMetadata("design:paramtypes", Probe)).toEqual([Dependency]);
  expect(Reflect.getMetadata("design:paramtypes", Probe.prototype, "method")).toEqual([Dependency]);
});

it("class fields as tsc emits them with useDefineForClassFields: false: a field without initialiser is not defined", () => {
  expect(Object.keys(new Probe(new Dependency()))).toEqual(["dependency", "initialised"]);
});
