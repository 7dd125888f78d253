/**
 * What a staff username and password must look like. Import-free, so the console's 新增员工 form
 * checks with the very rules and words the server uses.
 */
export const PASSWORD_MIN_LENGTH = 10;
/** argon2 hashes whatever it is given; a bound keeps one request from costing seconds. */
export const PASSWORD_MAX_LENGTH = 128;

export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{2,31}$/;
export const USERNAME_RULE = '用户名须为3至32位，以字母开头，只含字母、数字、点、下划线或连字符';

/** The refusal a person should see, or undefined when the password may be used. */
export function passwordProblem(password: string): string | undefined {
  if (password.length > PASSWORD_MAX_LENGTH) return `密码不能超过${PASSWORD_MAX_LENGTH}个字符`;
  if (password.length < PASSWORD_MIN_LENGTH || !/[A-Za-z]/.test(password) || !/\d/.test(password)) {
    return `密码至少${PASSWORD_MIN_LENGTH}位，且须同时包含字母和数字`;
  }
  return undefined;
}
