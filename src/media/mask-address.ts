/**
 * Masks an IP address for logs, like phone numbers are masked: the network part stays (enough to
 * recognise a carrier or an attacking range), the host part goes (`203.0.113.*`, `2001:db8:1:2:*`).
 */
export function maskAddress(address: string): string {
  const v4 = /^(\d+\.\d+\.\d+)\.\d+$/.exec(address);
  if (v4?.[1] !== undefined) return `${v4[1]}.*`;
  const groups = address.split(':');
  if (groups.length > 2) return `${groups.slice(0, 4).join(':')}:*`;
  return '*';
}
