/** The parts of onvif 0.8.3 internals our wrapper patches (see lib-cam.ts); pinned to that exact version. */
declare module 'onvif/lib/utils.js' {
  const utils: {
    parseSOAPString(xml: string, callback: (err: Error | null, data: unknown, xml: string, status?: number) => void, status?: number): void;
  };
  export default utils;
}
