/** Preloaded with `--import` in node_env projects: registers the resolution hook for the environment's node_modules. */
import { register } from 'node:module';

const modules = process.env.GIT_ML_NODE_MODULES;
if (modules) register('./node-resolve-hook.js', import.meta.url, { data: { modules } });
