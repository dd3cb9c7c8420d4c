/**
 * The program each function instance runs in its worker thread. It is plain JavaScript evaluated
 * with `new Worker(source, { eval: true })`, so it needs no build step and survives bundling.
 *
 * Protocol (parent <-> worker):
 *   parent: { type: 'invoke', id, event: Uint8Array, ctx: {requestId, credentials, function, service, region, accountId} }
 *   worker: { type: 'started', id }   (the instance began the invocation: the function's timeout runs from here)
 *           { type: 'log', id, line }
 *           { type: 'result', id, ok: true, result: {kind, text?|data?} }
 *           { type: 'result', id, ok: false, error: {errorMessage, errorType, stackTrace} }
 * The handler is loaded once per instance (a cold start) and reused while the instance is warm.
 *
 * Network: workerData.unreachable lists VPC-internal host:port endpoints this function is not
 * attached to (vpc.ts). Before the function code loads, net.Socket.prototype.connect (which
 * net.connect, http, tls and fetch all go through) is wrapped so that a connection to one of them
 * behaves as a packet to a private address outside the function's network does: nothing answers,
 * the socket stays connecting, and after workerData.connectTimeoutMs it fails with ETIMEDOUT.
 */
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const nodePath = require('node:path');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const { format } = require('node:util');
const net = require('node:net');

// ---- VPC reachability (see the header) -------------------------------------------------------
function canonicalHost(h) {
  const host = String(h === undefined || h === null || h === '' ? 'localhost' : h).toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1' || host === '0.0.0.0' || host === '::' || /^(::ffff:)?127\./.test(host)) return 'loopback';
  return host;
}
const unreachable = new Set((workerData.unreachable || []).map((e) => canonicalHost(e.host) + '|' + Number(e.port)));
function targetOf(args) {
  let opts;
  const a0 = args[0];
  if (Array.isArray(a0)) opts = a0[0];
  else if (a0 !== null && typeof a0 === 'object') opts = a0;
  else if (typeof a0 === 'number' || (typeof a0 === 'string' && /^\d+$/.test(a0))) opts = { port: a0, host: typeof args[1] === 'string' ? args[1] : undefined };
  if (!opts || opts.port === undefined || opts.port === null) return undefined;
  return { host: opts.host === undefined ? 'localhost' : String(opts.host), port: Number(opts.port) };
}
if (unreachable.size > 0) {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    const t = targetOf(args);
    if (!t || !unreachable.has(canonicalHost(t.host) + '|' + t.port)) return connect.apply(this, args);
    const socket = this;
    socket.connecting = true;
    const timer = setTimeout(() => {
      const err = new Error('connect ETIMEDOUT ' + t.host + ':' + t.port);
      Object.assign(err, { errno: -110, code: 'ETIMEDOUT', syscall: 'connect', address: t.host, port: t.port });
      socket.connecting = false;
      socket.destroy(err);
    }, workerData.connectTimeoutMs);
    if (typeof timer.unref === 'function') timer.unref();
    socket.once('close', () => clearTimeout(timer));
    return socket;
  };
}

let loaded;
async function loadHandler() {
  const handler = workerData.handler;
  const dot = handler.lastIndexOf('.');
  const file = handler.slice(0, dot);
  const name = handler.slice(dot + 1);
  const base = nodePath.resolve(workerData.codeDir, file);
  for (const ext of ['.js', '.cjs', '.mjs']) {
    const f = base + ext;
    if (!fs.existsSync(f)) continue;
    const mod = ext === '.mjs' ? await import(pathToFileURL(f).href) : require(f);
    const fn = mod[name];
    if (typeof fn !== 'function') {
      const e = new Error('Handler \'' + name + '\' is missing on module \'' + file + '\'');
      e.name = 'HandlerNotFound';
      throw e;
    }
    return fn;
  }
  const e = new Error('Cannot find module \'' + base + '\' (handler ' + handler + ')');
  e.name = 'HandlerNotFound';
  throw e;
}

// Requests in flight on this instance; console output is attributed to the only one, if single.
const active = new Set();
function logLine(id, requestId, level, args) {
  const line = new Date().toISOString() + ' ' + requestId + ' [' + level + '] ' + format.apply(null, args);
  parentPort.postMessage({ type: 'log', id, line });
}
for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['debug', 'DEBUG'], ['warn', 'WARN'], ['error', 'ERROR']]) {
  console[method] = (...args) => {
    const only = active.size === 1 ? [...active][0] : undefined;
    logLine(only ? only.id : null, only ? only.requestId : '-', level, args);
  };
}

function serialiseError(e) {
  if (e instanceof Error) {
    return { errorMessage: e.message, errorType: e.name || 'Error', stackTrace: typeof e.stack === 'string' ? e.stack.split('\n').slice(1).map((s) => s.trim()) : [] };
  }
  if (e && typeof e === 'object') {
    return { errorMessage: String(e.errorMessage || e.message || JSON.stringify(e)), errorType: String(e.errorType || e.name || 'Error'), stackTrace: [] };
  }
  return { errorMessage: String(e), errorType: 'Error', stackTrace: [] };
}

function encode(v) {
  if (v === undefined || v === null) return { kind: 'empty' };
  if (typeof v === 'string') return { kind: 'string', text: v };
  if (v instanceof Uint8Array) return { kind: 'bytes', data: v };
  const text = JSON.stringify(v);
  return text === undefined ? { kind: 'empty' } : { kind: 'json', text };
}

function call(fn, event, context) {
  // Node.js 16-style handlers take a callback; newer ones return a promise (alibabacloud.com/help/doc-detail/156876.htm).
  if (fn.length >= 3) {
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (err, data) => { if (done) return; done = true; if (err) reject(err); else resolve(data); };
      try {
        const r = fn(event, context, finish);
        if (r && typeof r.then === 'function') r.then((v) => finish(null, v), (e) => finish(e || new Error('rejected')));
      } catch (e) { finish(e); }
    });
  }
  return Promise.resolve().then(() => fn(event, context));
}

parentPort.on('message', async (msg) => {
  if (!msg || msg.type !== 'invoke') return;
  const { id, ctx } = msg;
  // The instance is up and runs this invocation; loading the handler module below is part of it.
  parentPort.postMessage({ type: 'started', id });
  const entry = { id, requestId: ctx.requestId };
  active.add(entry);
  const logger = {};
  for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['debug', 'DEBUG'], ['warn', 'WARN'], ['error', 'ERROR']]) {
    logger[method] = (...args) => logLine(id, ctx.requestId, level, args);
  }
  const context = {
    requestId: ctx.requestId,
    credentials: ctx.credentials,
    function: ctx.function,
    service: ctx.service,
    region: ctx.region,
    accountId: ctx.accountId,
    logger,
  };
  try {
    if (!loaded) loaded = loadHandler();
    let fn;
    try { fn = await loaded; } catch (e) { loaded = undefined; throw e; }
    const value = await call(fn, Buffer.from(msg.event), context);
    parentPort.postMessage({ type: 'result', id, ok: true, result: encode(value) });
  } catch (e) {
    parentPort.postMessage({ type: 'result', id, ok: false, error: serialiseError(e) });
  } finally {
    active.delete(entry);
  }
});
`;
