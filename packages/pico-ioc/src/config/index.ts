export { setting, toSnakeCase } from "./setting.js";
export { configured, getSettingsDefinition } from "./configured.js";
export { bindSettings, envVarName } from "./bind.js";

export type { SettingOptions, SettingType } from "./setting.js";
export type { SettingField, SettingsDefinition } from "./configured.js";
export type { ConfigTree, Env } from "./bind.js";
export type { PicoModuleSections, SettingsSection, SnakeCase } from "./sections.js";
