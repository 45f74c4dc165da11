// Ready-to-paste client commands for a new MAC key (what the client's operator runs to register
// with it), for certbot, lego and acme.sh. Pure: the EAB keys page and its tests build them.

export type EabClientCommand = { client: "certbot" | "lego" | "acme.sh"; command: string };

/** Values go between single quotes, so a shell takes them as they are (base64url has no quote). */
const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

export function eabClientCommands(o: {
  directoryUrl: string;
  keyIdentifier: string;
  hmacKey: string;
}): EabClientCommand[] {
  const server = quote(o.directoryUrl);
  const kid = quote(o.keyIdentifier);
  const key = quote(o.hmacKey);
  return [
    {
      client: "certbot",
      command: `certbot certonly --standalone --server ${server} --eab-kid ${kid} --eab-hmac-key ${key} --agree-tos -m you@example.com -d www.example.com`,
    },
    {
      client: "lego",
      command: `lego --server ${server} --eab --kid ${kid} --hmac ${key} --accept-tos --email you@example.com --http -d www.example.com run`,
    },
    {
      client: "acme.sh",
      command: `acme.sh --register-account --server ${server} --eab-kid ${kid} --eab-hmac-key ${key} -m you@example.com`,
    },
  ];
}
