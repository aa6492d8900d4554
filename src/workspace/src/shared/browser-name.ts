/** The browser of a session in a few words, from its User-Agent (the full text goes in a tooltip). */
export function browserOf(ua: string | null): string {
  if (ua === null) return '未知';
  const names: readonly [RegExp, string][] = [[/360SE|360EE/, '360 浏览器'], [/Edg\//, 'Edge'], [/Firefox\//, 'Firefox'], [/Chrome\//, 'Chrome'], [/Safari\//, 'Safari']];
  return names.find(([re]) => re.test(ua))?.[1] ?? ua.slice(0, 32);
}
