import type { SlackChannelConfig } from './channel-schema';
import type { Digest } from './digest';
import type { RenderOptions } from './digest-view';
import { postBody } from './http-post';
import type { Sender } from './sender';
import { renderSlack } from './slack-render';

/** Posts Block Kit digests to a Slack incoming webhook. The URL is a secret: it never appears in errors. */
export function createSlackSender(name: string, config: SlackChannelConfig, options: RenderOptions): Sender {
  return {
    name,
    type: 'slack',
    async send(digest: Digest): Promise<void> {
      const body = JSON.stringify(renderSlack(digest, options));
      await postBody(
        {
          label: `slack channel ${name}`,
          url: config.url,
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
          timeoutMs: config.timeout,
          secrets: [],
        },
        body,
      );
    },
    close(): void {},
  };
}
