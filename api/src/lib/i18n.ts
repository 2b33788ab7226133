import type { FastifyRequest } from 'fastify';

export type Lang = 'zh' | 'en';

/** The language of a request: what the client asks for in Accept-Language; Chinese when it says nothing. */
export function requestLang(req: Pick<FastifyRequest, 'headers'>): Lang {
  const header = String(req.headers['accept-language'] ?? '').toLowerCase();
  if (!header) return 'zh';
  for (const part of header.split(',')) {
    const tag = part.split(';')[0].trim();
    if (tag.startsWith('zh')) return 'zh';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh';
}

export type Catalog = Record<string, { zh: string; en: string }>;

/** Problem titles and details, and field reasons, in both languages. `{name}` placeholders are filled from params. */
export const messages: Catalog = {
  // problems
  bad_request: { zh: '请求有误', en: 'Bad request' },
  validation_failed: { zh: '输入的内容有误，请检查标出的字段。', en: 'Some fields are not valid; see the list of errors.' },
  unauthenticated: { zh: '请先登录。', en: 'Please log in.' },
  invalid_token: { zh: '登录已失效，请重新登录。', en: 'Your session is no longer valid; please log in again.' },
  invalid_credentials: { zh: '工号或密码不正确。', en: 'Wrong employee number or password.' },
  throttled: { zh: '尝试次数过多，请在 {seconds} 秒后再试。', en: 'Too many attempts; try again in {seconds} seconds.' },
  forbidden: { zh: '您没有执行此操作的权限。', en: 'You are not allowed to do this.' },
  not_found: { zh: '找不到该{what}。', en: 'That {what} was not found.' },
  conflict: { zh: '操作与现有数据冲突：{reason}', en: 'This conflicts with existing data: {reason}' },
  password_change_required: { zh: '请先修改初始密码。', en: 'Please change your initial password first.' },
  payload_too_large: { zh: '提交的内容过大（上限 {limit}）。', en: 'The request is larger than {limit}, the most this operation takes.' },
  unsupported_media_type: { zh: '不支持的内容类型。', en: 'Unsupported content type.' },
  internal: { zh: '服务器出错了。请把请求编号 {requestId} 告诉管理员。', en: 'Something went wrong on the server. Quote request id {requestId} to your administrator.' },
  unavailable: { zh: '服务暂时不可用，请稍后再试。', en: 'The service is temporarily unavailable; try again shortly.' },
  cross_site_request: { zh: '这个请求来自其他网页，已被拒绝。', en: 'This request came from another site and was refused.' },
  // things
  user: { zh: '用户', en: 'user' },
  org_unit: { zh: '组织单位', en: 'organisation unit' },
  resource: { zh: '内容', en: 'resource' },
  module: { zh: '课程模块', en: 'module' },
  exam: { zh: '考试', en: 'exam' },
  attempt: { zh: '答卷', en: 'attempt' },
  revision: { zh: '修订版本', en: 'revision' },
  study_session: { zh: '学习记录', en: 'study session' },
  assignment: { zh: '学习任务', en: 'assignment' },
  'course.unknown_track': { zh: '课程类别不存在', en: 'no such track' },
  'course.unknown_module': { zh: '课程模块不存在', en: 'no such module' },
  'course.no_language': { zh: '至少要有中文或英文内容', en: 'needs the Chinese or the English text' },
  'course.slug_taken': { zh: '该模块标识已被使用', en: 'this module id is already used' },
  'course.nothing_to_publish': { zh: '没有待发布的草稿', en: 'there is no draft to publish' },
  'course.no_draft': { zh: '没有草稿', en: 'there is no draft' },
  'course.never_published': { zh: '该模块从未发布，草稿是它唯一的内容，不能丢弃', en: 'the module was never published; its draft is all it has and cannot be discarded' },
  'course.empty_file': { zh: '文件是空的', en: 'the file is empty' },
  'course.image_too_large': { zh: '图片不能超过 {max}', en: 'images may be at most {max}' },
  'course.not_an_image': { zh: '只能上传 PNG、JPEG、GIF 或 WebP 图片', en: 'only PNG, JPEG, GIF or WebP images can be uploaded' },
  'course.no_conflict': { zh: '该模块没有待处理的文件冲突', en: 'this module has no file conflict to resolve' },
  'course.file_gone': { zh: '内容目录中已没有该模块的文件', en: "the module's files are no longer in the content folder" },
  'study.future_day': { zh: '日期不能晚于今天', en: 'cannot be in the future' },
  'study.unknown_person': { zh: '人员不存在或不在您的管理范围内', en: 'no such person in the units you manage' },
  'study.own_session': { zh: '不能审核自己的学习记录', en: 'you cannot review your own session' },
  'assignment.no_audience': { zh: '请选择岗位、单位或人员', en: 'choose positions, units or people' },
  'assignment.past_due': { zh: '截止日期不能早于今天', en: 'the due date is in the past' },
  // field reasons
  'field.required': { zh: '必填', en: 'is required' },
  'field.min_length': { zh: '至少 {limit} 个字符', en: 'must have at least {limit} characters' },
  'field.max_length': { zh: '最多 {limit} 个字符', en: 'must have at most {limit} characters' },
  'field.minimum': { zh: '不能小于 {limit}', en: 'must be at least {limit}' },
  'field.maximum': { zh: '不能大于 {limit}', en: 'must be at most {limit}' },
  'field.type': { zh: '类型不对，应为 {type}', en: 'must be of type {type}' },
  'field.enum': { zh: '只能是：{values}', en: 'must be one of: {values}' },
  'field.format': { zh: '格式不对（{format}）', en: 'must be a valid {format}' },
  'field.pattern': { zh: '格式不对', en: 'has the wrong format' },
  'field.json_syntax': { zh: '不是有效的 JSON（第 {position} 个字符附近出错）', en: 'is not valid JSON (broken near character {position})' },
  'field.invalid': { zh: '无效', en: 'is not valid' },
  'field.day': { zh: '不是有效的日期（例如 2026-12-02）', en: 'is not a real date (for example 2026-12-02)' },
  'field.month': { zh: '不是有效的月份（例如 2026-12）', en: 'is not a real month (for example 2026-12)' },
  'field.reference': { zh: '没有选择有效的项', en: 'does not name a valid item' },
  'field.date_time': { zh: '不是有效的日期时间', en: 'is not a valid date and time' },
  'field.text_characters': { zh: '含有无法保存的字符', en: 'contains characters that cannot be stored' },
  'password.too_short': { zh: '密码至少 {min} 个字符', en: 'must have at least {min} characters' },
  'password.too_long': { zh: '密码最多 {max} 个字符', en: 'must have at most {max} characters' },
  'password.common': { zh: '这个密码太常见，容易被猜到，请换一个', en: 'is too common and easy to guess; choose another' },
  'password.contains_username': { zh: '密码不能包含工号', en: 'must not contain the employee number' },
  'password.wrong_current': { zh: '当前密码不正确', en: 'is not your current password' },
  'password.same_as_old': { zh: '新密码不能与当前密码相同', en: 'must differ from the current password' },
  'org_unit.unknown': { zh: '组织单位不存在', en: 'no such organisation unit' },
  'org_unit.archived': { zh: '组织单位已撤销', en: 'the organisation unit is archived' },
  'org_unit.cycle': { zh: '不能移到自己或自己的下级之下', en: 'cannot move a unit under itself or its descendants' },
  'org_unit.not_empty': { zh: '该单位或其下级仍有在用的人员或单位', en: 'the unit or its descendants still have active people or units' },
  'org_unit.root': { zh: '不能移动或撤销根单位', en: 'the root unit cannot be moved or archived' },
  'user.username_taken': { zh: '该工号已存在', en: 'this employee number is already used' },
  'user.self_disable': { zh: '不能停用自己的账号', en: 'you cannot disable your own account' },
  'user.self_role': { zh: '不能修改自己的角色', en: 'you cannot change your own role' },
  'user.out_of_scope': { zh: '不在您的管理范围内', en: 'is outside the units you manage' },
  'user.role_not_allowed': { zh: '您不能授予该角色', en: 'you cannot grant this role' },
  'import.empty': { zh: '文件是空的', en: 'the file is empty' },
  'import.bad_header': { zh: '表头应为：{expected}', en: 'the header must be: {expected}' },
  'import.columns': { zh: '应有 {expected} 列，实际 {actual} 列', en: 'expected {expected} columns, found {actual}' },
  'import.duplicate_in_file': { zh: '工号在文件第 {line} 行已出现', en: 'employee number already appears on line {line}' },
  'import.unknown_path': { zh: '找不到组织路径“{path}”', en: 'no organisation unit at path "{path}"' },
  'import.bad_role': { zh: '角色应为 staff、trainer、manager 或 admin', en: 'role must be staff, trainer, manager or admin' },
  'import.bad_position': { zh: '岗位不认识：{value}', en: 'unknown position: {value}' },
  'import.not_text': { zh: '文件不是 UTF-8 文本（可能是二进制文件或其他编码）', en: 'the file is not UTF-8 text (binary or another encoding)' },
  'import.quote': { zh: '引号不成对', en: 'unbalanced quotes' },
};

/**
 * Adds a module's own texts to the catalogue (a module registers its codes when it is loaded, so lib imports no
 * module). A code may be registered again with the same texts; one code with two different texts is a mistake that
 * stops the start rather than letting the last one win silently.
 */
export function registerMessages(entries: Catalog): void {
  for (const [key, entry] of Object.entries(entries)) {
    const known = messages[key];
    if (known && (known.zh !== entry.zh || known.en !== entry.en)) {
      throw new Error(`message "${key}" is registered twice with different texts`);
    }
    if (!entry.zh || !entry.en) throw new Error(`message "${key}" needs both a Chinese and an English text`);
    messages[key] = { zh: entry.zh, en: entry.en };
  }
}

export function t(lang: Lang, key: string, params: Record<string, unknown> = {}): string {
  const entry = messages[key];
  const template = entry ? entry[lang] : key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) return `{${name}}`;
    // a param naming another catalogue entry (like `what: 'user'`) is itself translated
    if (typeof v === 'string' && messages[v]) return messages[v][lang];
    return String(v);
  });
}
