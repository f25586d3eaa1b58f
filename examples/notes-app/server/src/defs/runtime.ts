// Names of the runtime keys this app reads. Values never live in this file:
// vars come from `configs/vars.yaml`, secrets are typed by a person in the browser.
export type VarKey =
  | "PUBLIC_APP_NAME"
  | "GOOGLE_CLIENT_ID"
  // | "SENTRY_DSN"   (we'll add it when monitoring lands)
  | "MAX_NOTES_PER_USER";

export type SecretKey =
  | "GOOGLE_CLIENT_SECRET"
  | "OPENAI_API_KEY";
