export { DEFAULT_CHUNK_BYTES, describeStdin, InputReadError, readFileChunks, readPipeChunks, readStreamChunks, type ByteRange, type OpenFile } from './bytes.js';
export { GzipError, decodeBytes, isGzip, type GzipFailure } from './decompress.js';
export { describeOsError, type InputError } from './errors.js';
export {
  addStats,
  describeReadFailure,
  readEvents,
  type EventHandler,
  type LinePrefilter,
  type Location,
  type ReadEventsOptions,
  type SourceStats,
} from './events.js';
export { DEFAULT_MAX_LINE_BYTES, LineSplitter, type LineSink } from './lines.js';
export { LOG_EXTENSIONS, isLogFileName, resolveInputs, type InputSource, type ResolvedInputs } from './sources.js';
