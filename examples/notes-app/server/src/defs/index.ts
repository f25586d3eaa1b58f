export * from "./db_schema";
export * from "./db_relations";
export * from "./storage_schema";
export type { VarKey, SecretKey } from "./runtime";
