// Types of web/serve.mjs, for the TypeScript tests that start the playground server.
export interface PlaygroundServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  close(): Promise<void>;
}
export function startServer(options?: { port?: number; isolated?: boolean; host?: string }): Promise<PlaygroundServer>;
export function bundleNeurite(): Promise<string>;
export function writeStaticSite(dir: string): Promise<void>;
