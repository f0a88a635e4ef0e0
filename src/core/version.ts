// Kept in step with package.json by the release script; recorded in every manifest.
export const TOOL_VERSION = '0.1.0';
