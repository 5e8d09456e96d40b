/**
 * pico-ioc: typed dependency injection over tsyringe.
 * @module
 */
import "./tsyringe.js";

export { component, defineComponent, getComponentDefinition, rejectUnknownOptions } from "./metadata/component.js";
export { inject, injectAll } from "./metadata/inject.js";
export { factory, getFactoryDefinition } from "./metadata/factory.js";
export { configured, setting, getSettingsDefinition, bindSettings, envVarName, toSnakeCase } from "./config/index.js";
export { PicoContainer } from "./container/pico-container.js";
export { RequestScope } from "./container/request-scope.js";
export { LOGGER, silentLogger } from "./logger.js";
export { METRICS, noMetrics } from "./metrics.js";
export { createToken, keyName } from "./token.js";
export { hasOnDestroy, hasOnInit } from "./lifecycle.js";
export {
  PicoIocError,
  ConfigurationError,
  DecoratorMisuseError,
  InvalidGraphError,
  ProviderNotFoundError,
  ComponentInitError,
  ComponentDestroyError,
  ScopeInactiveError,
  ContainerDestroyedError,
} from "./errors.js";

export type { ComponentDefinition, ComponentOptions, Scope } from "./metadata/component.js";
export type { Dependency } from "./metadata/inject.js";
export type { FactoryDefinition, FactoryOptions, Injected, InjectedArgs, Provided } from "./metadata/factory.js";
export type { ConfigTree, Env, PicoModuleSections, SettingField, SettingOptions, SettingType, SettingsDefinition, SettingsSection, SnakeCase } from "./config/index.js";
export type { ContainerOptions } from "./container/pico-container.js";
export type { Override } from "./container/graph.js";
export type { Constructor, ProviderKey, Token } from "./token.js";
export type { OnDestroy, OnInit } from "./lifecycle.js";
export type { LogFields, Logger } from "./logger.js";
export type { Counter, Histogram, MetricLabels, Metrics } from "./metrics.js";
export type { ConfigProblem, PicoIocErrorCode } from "./errors.js";
