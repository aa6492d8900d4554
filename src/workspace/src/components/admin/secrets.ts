/** Passwords the page generated, shown once by OneTimeSecret.vue and then dropped. */
export interface SecretLine {
  /** e.g. 登录密码, SIP 密码. */
  readonly label: string;
  readonly value: string;
}

export interface OneTimeSecrets {
  readonly title: string;
  /** Who they are for, e.g. "话务员 李娜，用户名 li.na，分机（SIP 用户名）1001". */
  readonly subject: string;
  readonly lines: readonly SecretLine[];
}
