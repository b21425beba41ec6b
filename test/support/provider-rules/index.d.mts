export type Config = Record<string, unknown>;
export interface FieldRule {
  readonly type?: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  /** A change replaces the resource (SDK ForceNew; CustomizeDiff replacements are not read). */
  readonly forceNew?: boolean;
  readonly conflictsWith?: string[];
  readonly exactlyOneOf?: string[];
  readonly atLeastOneOf?: string[];
  readonly requiredWith?: string[];
  readonly enum?: string[];
  readonly maxItems?: number;
  readonly minItems?: number;
  readonly block?: Record<string, FieldRule>;
  readonly blockNotUsed?: boolean;
}
export interface ProviderRules {
  readonly source: string;
  readonly tag: string;
  readonly commit: string;
  readonly sdk: string;
  readonly resources: Record<string, Record<string, FieldRule>>;
}
export interface Resource {
  readonly type: string;
  readonly name: string;
  readonly file: string;
  readonly body: Record<string, unknown>;
}
export interface Module {
  readonly variables: Record<string, Record<string, unknown>>;
  readonly locals: Record<string, unknown>;
  readonly resources: Resource[];
}
export interface Instance {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly file: string;
  readonly config: Config;
}
export interface Violation {
  readonly address: string;
  readonly file: string;
  readonly summary: string;
  readonly detail: string;
  readonly key: string;
}
export const RULES_FILE: string;
export const UNKNOWN: unique symbol;
export function providerRules(): ProviderRules;
export function ruleErrors(
  dir: string,
  commandLineVars: Record<string, string> | undefined
): Promise<string[]>;
export function loadModule(dir: string): Promise<Module>;
export function withDefaults(
  module: Module,
  given: Record<string, unknown>
): Record<string, unknown>;
export function instances(
  module: Module,
  vars: Record<string, unknown>,
  resources?: Resource[]
): Instance[];
/** Every instance of one resource, with its for_each key or count index. */
export function everyInstance(
  module: Module,
  vars: Record<string, unknown>,
  type: string,
  name: string
): { readonly key: unknown; readonly each: unknown; readonly config: Config }[];
export function moduleViolations(rules: ProviderRules, list: Instance[]): Violation[];
export function violations(
  fields: Record<string, FieldRule>,
  config: Config
): Omit<Violation, 'address' | 'file'>[];
export function lookup(config: Config, key: string): { set: boolean; value?: unknown };
export function formatViolation(v: Violation): string;
export function variableChoices(module: Module): Record<string, unknown[]>;
export function checkAllCombinations(
  module: Module,
  rules: ProviderRules,
  check: typeof moduleViolations
): {
  violations: (Violation & { vars: Record<string, unknown> })[];
  checked: Record<string, number>;
  choices: Record<string, unknown[]>;
};

/** Terraform's meta-arguments (count, for_each, lifecycle, ...). */
export const META_ARGUMENTS: ReadonlySet<string>;
