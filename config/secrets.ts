/**
 * Secrets (camera passwords, the broker password, the TLS private key) live in a separate YAML file of mode
 * 0600, or in systemd credentials ($CREDENTIALS_DIRECTORY/secrets.yaml) — never in the box config, never in
 * a log line (see runtime/core/logger.ts redaction).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ConfigIssue } from './issues.js';
import { parseYamlSource, zodIssues } from './yaml-source.js';

const credentialSchema = z.strictObject({
  username: z.string().min(1),
  password: z.string(),
});

export const secretsSchema = z.strictObject({
  cameras: z.record(z.string(), credentialSchema).default({})
    .meta({ description: 'Camera credentials by device id; `default` applies to cameras without their own entry.' }),
  mqtt: z.strictObject({ password: z.string() }).optional(),
  tls: z.strictObject({
    key: z.string().optional().meta({ description: 'PEM private key of the box client certificate.' }),
    keyFile: z.string().optional().meta({ description: 'Or a file holding it (mode 0600).' }),
  }).optional(),
});
export type Secrets = z.infer<typeof secretsSchema>;

export const EMPTY_SECRETS: Secrets = { cameras: {} };

/** Where the secrets file is: the config's secretsFile, else systemd's credentials directory. */
export function secretsPath(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (configured) return configured;
  if (env.CREDENTIALS_DIRECTORY) return join(env.CREDENTIALS_DIRECTORY, 'secrets.yaml');
  return undefined;
}

export function loadSecrets(file: string): { secrets?: Secrets; issues: ConfigIssue[] } {
  let text: string;
  try {
    const st = statSync(file);
    // systemd credentials are mounted read-only for the service user; anything else must be 0600 or stricter.
    if ((st.mode & 0o077) !== 0 && !file.startsWith(process.env.CREDENTIALS_DIRECTORY ?? '\0')) {
      return {
        issues: [{
          file, value: `0${(st.mode & 0o777).toString(8)}`,
          message: `secrets file must not be readable by group or others (run: chmod 600 ${file})`,
        }],
      };
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { issues: [{ file, message: `cannot read secrets file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }] };
  }
  const src = parseYamlSource(text, file);
  if (src.issues.length > 0) return { issues: src.issues.map((i) => ({ ...i, value: undefined })) };
  const parsed = secretsSchema.safeParse(src.value ?? {});
  // Never echo values from the secrets file into messages.
  if (!parsed.success) return { issues: zodIssues(src, parsed.error).map((i) => ({ ...i, value: undefined })) };
  return { secrets: parsed.data, issues: [] };
}

export function cameraCredentials(secrets: Secrets, deviceId: string): { username: string; password: string } | undefined {
  return secrets.cameras[deviceId] ?? secrets.cameras.default;
}

/** The TLS private key PEM, from the secrets file or the key file it names. */
export function tlsKeyPem(secrets: Secrets): string | undefined {
  if (secrets.tls?.key) return secrets.tls.key;
  if (secrets.tls?.keyFile) return readFileSync(secrets.tls.keyFile, 'utf8');
  return undefined;
}
