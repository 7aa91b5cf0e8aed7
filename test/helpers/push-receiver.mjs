// A local Web Push service for tests: web-push-testing, run in this Node
// process on 127.0.0.1. It hands out subscriptions, decrypts what it is sent
// (checking the VAPID JWT against the subscription's applicationServerKey)
// and keeps the plaintexts for getNotifications().
//
// start()/stop() need Node. subscribe(), getNotifications() and expire() are
// plain fetch calls to the receiver's HTTP API, so tests inside workerd can
// import and use them too.

/**
 * Starts the receiver on a free 127.0.0.1 port; returns its base URL and a stop().
 * Not startServer(): that binds every interface on a fixed port and exits the
 * process on error. One receiver per process: web-push-testing keeps its model
 * in a module-level variable.
 */
export async function start() {
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  const WebPushTestingServer = require("web-push-testing/src/server.js");
  const { PushApiModel } = require("web-push-testing/src/PushApiModel.js");

  const model = new PushApiModel();
  const server = new WebPushTestingServer(model, 0);
  server.setRequestHandlers();
  const http = server._app.listen(0, "127.0.0.1");
  await new Promise((resolve, reject) => {
    http.once("listening", resolve);
    http.once("error", reject);
  });
  const url = `http://127.0.0.1:${http.address().port}`;
  // Endpoints handed out must name the address the receiver listens on.
  model.notifyUrl = `${url}/notify/`;
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        http.close(() => resolve(undefined));
        http.closeAllConnections();
      }),
  };
}

/** A new subscription for the given VAPID public key: {endpoint, keys: {p256dh, auth}, clientHash}. */
export async function subscribe(url, applicationServerKey) {
  const data = await post(`${url}/subscribe`, { applicationServerKey });
  return data.data;
}

/** The decrypted payloads the receiver accepted for a subscription, oldest first. */
export async function getNotifications(url, clientHash) {
  const data = await post(`${url}/get-notifications`, { clientHash });
  return data.data.messages;
}

/** Marks a subscription expired: further pushes to it are answered 410 Gone. */
export async function expire(url, clientHash) {
  const res = await fetch(`${url}/expire-subscription/${clientHash}`, { method: "POST" });
  await res.text();
  if (res.status !== 200) throw new Error(`push receiver: expire answered ${res.status}`);
}

async function post(target, body) {
  const res = await fetch(target, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`push receiver: ${target} answered ${res.status} ${text}`);
  return JSON.parse(text);
}
