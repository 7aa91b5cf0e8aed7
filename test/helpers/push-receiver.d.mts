/** Types of push-receiver.mjs (the project type-checks without allowJs). */
export interface ReceiverSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  clientHash: string;
}

export function start(): Promise<{ url: string; stop: () => Promise<void> }>;
export function subscribe(url: string, applicationServerKey: string): Promise<ReceiverSubscription>;
export function getNotifications(url: string, clientHash: string): Promise<string[]>;
export function expire(url: string, clientHash: string): Promise<void>;
