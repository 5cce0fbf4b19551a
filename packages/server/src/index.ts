export { createServer, startServer, closeOnSignals, MLFLOW_API_VERSION, type ServerOptions, type TrackingServer } from './server.js';
export { ApiError } from './errors.js';
