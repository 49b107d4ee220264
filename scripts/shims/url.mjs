// For browser bundles of @vscode/debugadapter (it imports Node's `url` for URL only): the web's own URL.
export const URL = globalThis.URL;
