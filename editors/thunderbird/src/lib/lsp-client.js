// A JSON-RPC client for the language server over a native-messaging port
// (runtime.connectNative frames each message; the server reads the same LSP
// messages as from an editor).
"use strict";

(function (exports) {
  class LspClient {
    /**
     * `port`: a runtime.Port (or anything with postMessage, onMessage, onDisconnect).
     * `handlers`: { notification(method, params), request(method, params) -> result,
     * disconnected(error) }.
     */
    constructor(port, handlers) {
      this.port = port;
      this.handlers = handlers;
      this.nextId = 1;
      this.pending = new Map();
      this.closed = false;
      port.onMessage.addListener((message) => this.receive(message));
      port.onDisconnect.addListener((p) => this.disconnected((p && p.error && p.error.message) || null));
    }

    request(method, params) {
      if (this.closed) return Promise.reject(new Error("tactful is not running"));
      const id = this.nextId++;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject, method });
        this.port.postMessage({ jsonrpc: "2.0", id, method, params });
      });
    }

    notify(method, params) {
      if (!this.closed) this.port.postMessage({ jsonrpc: "2.0", method, params });
    }

    async receive(message) {
      if (message.method !== undefined && message.id !== undefined) {
        let reply;
        try {
          reply = { jsonrpc: "2.0", id: message.id, result: (await this.handlers.request(message.method, message.params)) ?? null };
        } catch (err) {
          reply = { jsonrpc: "2.0", id: message.id, error: { code: -32603, message: String(err) } };
        }
        if (!this.closed) this.port.postMessage(reply);
      } else if (message.method !== undefined) {
        this.handlers.notification(message.method, message.params);
      } else {
        const waiting = this.pending.get(message.id);
        if (!waiting) return;
        this.pending.delete(message.id);
        if (message.error) waiting.reject(new Error(`${waiting.method}: ${message.error.message}`));
        else waiting.resolve(message.result);
      }
    }

    disconnected(error) {
      if (this.closed) return;
      this.closed = true;
      for (const waiting of this.pending.values()) waiting.reject(new Error(error || "tactful stopped"));
      this.pending.clear();
      this.handlers.disconnected(error);
    }

    /** Ends the server politely (shutdown, exit) and closes the port. */
    async stop() {
      try {
        await this.request("shutdown", null);
        this.notify("exit", null);
      } finally {
        this.closed = true;
        this.port.disconnect();
      }
    }
  }

  exports.LspClient = LspClient;
})(typeof module === "object" ? module.exports : (globalThis.tactfulLsp = {}));
