/** The part of js-yaml 4 that worker/content/parse.ts uses (the package ships no types). */
declare module 'js-yaml' {
  /** A set of YAML types to resolve plain scalars with. */
  export interface Schema {
    readonly __schema: unique symbol;
  }
  /** YAML 1.2's core schema: null, booleans, integers, floats (no timestamps, no merge keys). */
  export const CORE_SCHEMA: Schema;
  /** Parses one YAML document; throws a YAMLException (with the line and column) on invalid input. */
  export function load(text: string, opts?: { schema?: Schema; filename?: string; json?: boolean }): unknown;
}
