// The Reflect metadata polyfill, and its types, come with pico-ioc.
import "pico-ioc";

const METHOD_KEY = Symbol.for("pico-hono.route-metadata");

type MetadataMap = Map<symbol, unknown>;

/**
 * A decorator that attaches `value` under `key` to a controller class (every route in it) or to one
 * handler method. Extensions read it from `RouteDefinition.metadata(key)`; a method's value wins over
 * its class's. Works in any position relative to the route decorator.
 */
export function setRouteMetadata(key: symbol, value: unknown): ClassDecorator & MethodDecorator {
  return ((target: object, propertyKey?: string | symbol) => {
    // A method's map lives on the prototype under the method name; a class's on the class itself.
    let map = Reflect.getOwnMetadata(METHOD_KEY, target, propertyKey as string) as MetadataMap | undefined;
    if (!map) {
      map = new Map();
      Reflect.defineMetadata(METHOD_KEY, map, target, propertyKey as string);
    }
    map.set(key, value);
  }) as ClassDecorator & MethodDecorator;
}

export function readRouteMetadata(controllerClass: Function, handlerName: string, key: symbol): unknown {
  const methodMap = Reflect.getOwnMetadata(METHOD_KEY, controllerClass.prototype as object, handlerName) as MetadataMap | undefined;
  if (methodMap?.has(key)) return methodMap.get(key);
  const classMap = Reflect.getOwnMetadata(METHOD_KEY, controllerClass) as MetadataMap | undefined;
  return classMap?.get(key);
}

/** The value set on exactly this class (no `propertyKey`) or method, ignoring the other level. */
export function getOwnRouteMetadata(target: object, propertyKey: string | symbol | undefined, key: symbol): unknown {
  const map = Reflect.getOwnMetadata(METHOD_KEY, target, propertyKey as string) as MetadataMap | undefined;
  return map?.get(key);
}
