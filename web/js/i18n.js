// i18n.js — every Vietnamese word the client shows, in one place (../shared GLOSSARY.md), and the
// formats people read: dates dd/mm/yyyy, times in Asia/Ho_Chi_Minh, numbers grouped as 12.548.
//
// The API speaks English codes and English validation messages; nothing here is sent back to it.
// translateError() turns a field error into Vietnamese by its machine `code` first, then by its
// message (translateMessage()); an unknown one becomes a generic Vietnamese sentence rather than
// English text.

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

// ---------------------------------------------------------------------------------------------
// Screens, actions and short texts.

export const T = {
  appName: 'Tổ công nghệ số cộng đồng',
  appShort: 'Tổ CNSCĐ',
  appTagline: 'Hệ thống quản lý Tổ công nghệ số cộng đồng',
  skipToContent: 'Chuyển đến nội dung chính',
  menu: 'Danh mục',
  mainNav: 'Điều hướng chính',
  // navigation
  dashboard: 'Tổng quan',
  teams: 'Tổ CNSCĐ',
  activities: 'Hoạt động',
  deadlines: 'Nhiệm vụ có thời hạn',
  import: 'Nhập dữ liệu',
  admin: 'Quản trị',
  users: 'Người dùng',
  clients: 'Ứng dụng kết nối',
  rules: 'Quy định cơ cấu tổ',
  audit: 'Nhật ký thao tác',
  // actions
  signIn: 'Đăng nhập',
  signOut: 'Đăng xuất',
  username: 'Tên đăng nhập',
  password: 'Mật khẩu',
  search: 'Tìm kiếm',
  filter: 'Lọc',
  clearFilters: 'Bỏ lọc',
  dryRun: 'Kiểm tra trước',
  exportCsv: 'Xuất Excel (CSV)',
  exportXlsx: 'Tải Excel (.xlsx)',
  reports: 'Báo cáo định kỳ',
  save: 'Lưu',
  cancel: 'Hủy',
  delete: 'Xóa',
  edit: 'Sửa',
  add: 'Thêm',
  close: 'Đóng',
  retry: 'Thử lại',
  back: 'Quay lại',
  copy: 'Sao chép',
  copied: 'Đã sao chép',
  apply: 'Áp dụng',
  previous: 'Trang trước',
  next: 'Trang sau',
  all: 'Tất cả',
  unitsBelow: 'Đơn vị trực thuộc',
  yes: 'Có',
  no: 'Không',
  none: '—',
  loading: 'Đang tải…',
  saving: 'Đang lưu…',
  saved: 'Đã lưu.',
  deleted: 'Đã xóa.',
  required: 'bắt buộc',
  requiredMark: '(bắt buộc)',
  readOnlyAccount: 'Tài khoản chỉ xem',
  noData: 'Chưa có dữ liệu.',
  notFound: 'Không tìm thấy dữ liệu, hoặc dữ liệu nằm ngoài phạm vi quản lý của bạn.',
  pageNotFound: 'Không có trang này.',
  goHome: 'Về trang Tổng quan',
  total: 'Tổng số',
  page: (n, of) => `Trang ${n}/${of}`,
  showing: (from, to, total) => `Hiển thị ${from}–${to} trong ${total}`,
  confirmDelete: (what) => `Xóa ${what}? Thao tác này không thể hoàn tác.`,
  // sign-in
  signInTitle: 'Đăng nhập hệ thống',
  signInIntro: 'Dùng tài khoản được cấp cho đơn vị của bạn.',
  wrongCredentials: 'Sai tên đăng nhập hoặc mật khẩu.',
  sessionExpired: 'Phiên làm việc đã hết hạn hoặc không còn hiệu lực. Vui lòng đăng nhập lại để tiếp tục.',
  signedOut: 'Bạn đã đăng xuất.',
  // errors
  networkError: 'Không kết nối được với máy chủ. Vui lòng kiểm tra mạng rồi thử lại.',
  unavailable: 'Hệ thống đang tạm thời gián đoạn. Vui lòng thử lại sau ít phút.',
  formHasErrors: 'Chưa lưu được. Vui lòng sửa các mục được đánh dấu bên dưới:',
  genericInvalid: 'Giá trị không hợp lệ.',
  status400: 'Yêu cầu không hợp lệ.',
  status403: 'Bạn không có quyền thực hiện thao tác này.',
  status403ReadOnly: 'Tài khoản chỉ xem không được thay đổi dữ liệu.',
  status403Scope: 'Đơn vị được chọn nằm ngoài phạm vi quản lý của bạn.',
  status404: 'Không tìm thấy dữ liệu, hoặc dữ liệu nằm ngoài phạm vi quản lý của bạn.',
  status409: 'Dữ liệu bị trùng hoặc xung đột với dữ liệu đã có.',
  status409Team: 'Tổ đã có hoạt động được ghi nhận nên không thể xóa; hãy chuyển trạng thái sang “Đã giải thể”.',
  status409Done: 'Nhiệm vụ này đã được hoàn thành.',
  status409NotDone: 'Nhiệm vụ này chưa được hoàn thành.',
  status412: 'Dữ liệu vừa được người khác thay đổi. Vui lòng tải lại dữ liệu, kiểm tra rồi thực hiện lại.',
  reload: 'Tải lại dữ liệu',
  status413: 'Dữ liệu gửi lên quá lớn.',
  status415: 'Định dạng dữ liệu không được hỗ trợ.',
  status429: 'Bạn đã thử quá nhiều lần. Vui lòng đợi ít phút rồi thử lại.',
  signinLocked: (minutes) => `Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ${minutes} phút.`,
  unitClosed: (name, code, date) => `Đơn vị ${name} (mã ${code}) của tài khoản đã hết hiệu lực từ ngày ${date}, nên tài khoản không thể đăng nhập. Vui lòng liên hệ cơ quan quản lý để được cấp tài khoản của đơn vị mới.`,
  status500: 'Máy chủ gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại; nếu vẫn lỗi, hãy báo cho quản trị hệ thống.',
  dateFormatHint: 'dd/mm/yyyy',
  badDate: 'Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy.',
  badNumber: 'Phải là số nguyên không âm.',
  // issue 13
  takenAt: (when) => `Số liệu lấy lúc ${when} (giờ Việt Nam).`,
  confirmGoOn: 'Vẫn tiếp tục',
  confirmIntro: 'Vui lòng kiểm tra lại trước khi lưu:',
  filters: 'Bộ lọc',
  filtersActive: (n) => `Bộ lọc (đang áp dụng ${n})`,
  noActivity: 'Chưa có hoạt động trong khoảng thời gian này.',
  noTeamBelow: 'Chưa có tổ nào ở các đơn vị trực thuộc.',
  badRange: 'Ngày bắt đầu không được sau ngày kết thúc.',
};

/** The rates of the figures (docs/reporting.md, "Rates"): [rate, numerator, denominator, label]. */
export const RATES = [
  ['coverage_rate', 'communes_with_team', 'communes_total', 'Tỷ lệ xã có tổ'],
  ['compliance_rate', 'teams_compliant', 'teams_active', 'Tỷ lệ tổ đạt cơ cấu'],
  ['trained_rate', 'members_trained', 'members_active', 'Tỷ lệ thành viên đã tập huấn'],
  ['on_time_rate', 'targets_done_on_time', null, 'Tỷ lệ đúng hạn'],
];

// ---------------------------------------------------------------------------------------------
// Codes → labels (GLOSSARY.md).

export const LABELS = {
  level: {
    province: 'Tỉnh, thành phố trực thuộc Trung ương',
    district: 'Huyện, quận, thị xã, thành phố thuộc tỉnh',
    commune: 'Xã, phường, thị trấn',
  },
  levelShort: { province: 'Cấp tỉnh', district: 'Cấp huyện', commune: 'Cấp xã', enterprise: 'Doanh nghiệp' },
  role: { province: 'Cấp tỉnh', district: 'Cấp huyện', commune: 'Cấp xã', enterprise: 'Doanh nghiệp', national: 'Toàn quốc' },
  teamKind: {
    commune: 'Tổ cấp xã',
    hamlet: 'Tổ khu phố, ấp',
    enterprise: 'Tổ doanh nghiệp',
    organization: 'Tổ cơ quan, tổ chức',
  },
  teamStatus: { active: 'Đang hoạt động', dissolved: 'Đã giải thể' },
  position: { leader: 'Tổ trưởng', deputy: 'Tổ phó', member: 'Thành viên' },
  gender: { male: 'Nam', female: 'Nữ', other: 'Khác' },
  affiliation: {
    commune_government: 'Chính quyền xã',
    police: 'Công an',
    military: 'Quân sự',
    youth_union: 'Đoàn Thanh niên',
    women_union: 'Hội Liên hiệp Phụ nữ',
    farmers_union: 'Hội Nông dân',
    veterans_union: 'Hội Cựu chiến binh',
    trade_union: 'Công đoàn',
    fatherland_front: 'Mặt trận Tổ quốc',
    telecom: 'Doanh nghiệp bưu chính, viễn thông',
    enterprise: 'Doanh nghiệp',
    school: 'Nhà trường',
    hamlet_head: 'Trưởng khu phố, ấp',
    volunteer: 'Tình nguyện viên',
    other: 'Khác',
  },
  activityKind: {
    public_services: 'Hướng dẫn dịch vụ công trực tuyến',
    vneid: 'Hướng dẫn định danh điện tử (VNeID)',
    cashless_payment: 'Thanh toán không dùng tiền mặt',
    ecommerce: 'Thương mại điện tử',
    digital_skills: 'Kỹ năng số',
    cyber_safety: 'An toàn thông tin mạng',
    communication: 'Tuyên truyền',
    other: 'Khác',
  },
  outcome: {
    vneid_activations: 'Tài khoản định danh điện tử được kích hoạt',
    public_service_applications: 'Hồ sơ dịch vụ công trực tuyến',
    cashless_accounts: 'Tài khoản thanh toán được mở',
    ecommerce_shops: 'Gian hàng thương mại điện tử',
    app_installs: 'Lượt cài đặt ứng dụng',
    people_trained: 'Người được tập huấn kỹ năng số',
  },
  deadlineKind: { team_setup: 'Thành lập tổ', report: 'Báo cáo', other: 'Khác' },
  targetStatus: { pending: 'Chưa đến hạn', overdue: 'Quá hạn', done: 'Đã hoàn thành' },
  onTime: { true: 'Đúng hạn', false: 'Trễ hạn' },
  recurrence: { none: 'Một lần', monthly: 'Hằng tháng', quarterly: 'Hằng quý' },
  targetLevel: { district: 'Cấp huyện', commune: 'Cấp xã', enterprise: 'Doanh nghiệp' },
  compliance: { true: 'Đạt cơ cấu', false: 'Chưa đạt cơ cấu' },
  auditAction: {
    create: 'Thêm mới',
    update: 'Sửa',
    delete: 'Xóa',
    login: 'Đăng nhập',
    login_failed: 'Đăng nhập không thành công',
    import: 'Nhập dữ liệu',
    complete: 'Hoàn thành',
    reopen: 'Mở lại',
    revoke: 'Thu hồi',
    token: 'Cấp mã truy cập',
    rehome: 'Chuyển sang đơn vị mới',
  },
  rehomeStatus: { move: 'Chuyển', merge: 'Gộp', choose: 'Cần chọn', stays: 'Giữ nguyên' },
  resource: {
    units: 'Đơn vị hành chính',
    enterprises: 'Doanh nghiệp, cơ quan, tổ chức',
    teams: 'Tổ CNSCĐ',
    members: 'Thành viên',
    activities: 'Hoạt động',
    deadlines: 'Nhiệm vụ có thời hạn',
    users: 'Người dùng',
    clients: 'Ứng dụng kết nối',
    rules: 'Quy định cơ cấu tổ',
    auth: 'Đăng nhập',
  },
  importResource: {
    units: 'Đơn vị hành chính',
    enterprises: 'Doanh nghiệp, cơ quan, tổ chức',
    teams: 'Tổ CNSCĐ',
    members: 'Thành viên tổ',
    activities: 'Hoạt động',
  },
  complianceProblem: {
    too_few_members: 'Chưa đủ số thành viên tối thiểu',
    too_many_members: 'Vượt số thành viên tối đa',
    no_leader: 'Chưa có Tổ trưởng',
    no_deputy: 'Chưa có Tổ phó',
    too_few_it_skilled: 'Chưa đủ thành viên có kỹ năng công nghệ thông tin cơ bản',
    missing_affiliation: 'Thiếu thành phần bắt buộc',
  },
};

/** The Vietnamese label of an API code, or the code itself when there is none. */
export function label(group, code) {
  if (code === null || code === undefined || code === '') return T.none;
  const table = LABELS[group];
  const text = table ? table[String(code)] : undefined;
  return text === undefined ? String(code) : text;
}

// ---------------------------------------------------------------------------------------------
// Field names (forms, import errors, the audit log).

export const FIELDS = {
  code: 'Mã đơn vị',
  name: 'Tên',
  level: 'Cấp',
  parent_code: 'Mã đơn vị cấp trên',
  valid_from: 'Ngày có hiệu lực',
  valid_to: 'Ngày hết hiệu lực',
  tax_code: 'Mã số thuế',
  unit_code: 'Đơn vị hành chính',
  unit: 'Đơn vị hành chính',
  address: 'Địa chỉ',
  contact_name: 'Người liên hệ',
  contact_phone: 'Điện thoại liên hệ',
  external_id: 'Mã trong hệ thống khác',
  kind: 'Loại',
  hamlet: 'Khu phố, ấp',
  enterprise_id: 'Doanh nghiệp, cơ quan, tổ chức',
  enterprise: 'Doanh nghiệp, cơ quan, tổ chức',
  enterprise_tax_code: 'Mã số thuế doanh nghiệp',
  decision_no: 'Số quyết định thành lập',
  established_on: 'Ngày thành lập',
  status: 'Trạng thái',
  note: 'Ghi chú',
  member_count: 'Số thành viên',
  leader: 'Tổ trưởng',
  compliance: 'Cơ cấu',
  team_id: 'Tổ',
  team: 'Tổ',
  team_external_id: 'Mã tổ trong hệ thống khác',
  full_name: 'Họ và tên',
  gender: 'Giới tính',
  birth_year: 'Năm sinh',
  phone: 'Điện thoại',
  email: 'Thư điện tử',
  position: 'Chức danh',
  affiliation: 'Thành phần',
  it_skilled: 'Có kỹ năng công nghệ thông tin cơ bản',
  trained_on: 'Ngày hoàn thành tập huấn',
  joined_on: 'Ngày tham gia',
  left_on: 'Ngày rời tổ',
  held_on: 'Ngày thực hiện',
  title: 'Tiêu đề',
  location: 'Địa điểm',
  people_reached: 'Số người được hỗ trợ',
  outcomes: 'Kết quả',
  description: 'Nội dung',
  due_on: 'Hạn hoàn thành',
  issued_by_unit: 'Đơn vị giao',
  target_level: 'Giao cho cấp',
  scope_unit: 'Phạm vi giao',
  recurrence: 'Lặp lại',
  link: 'Đường dẫn kết quả',
  username: 'Tên đăng nhập',
  password: 'Mật khẩu',
  role: 'Cấp tài khoản',
  read_only: 'Tài khoản chỉ xem',
  disabled: 'Đã khóa',
  personal_data: 'Được xem điện thoại, thư điện tử của thành viên',
  client_id: 'Mã ứng dụng (client_id)',
  client_secret: 'Khóa bí mật (client_secret)',
  revoked_at: 'Ngày thu hồi',
  created_at: 'Ngày tạo',
  created_by: 'Người tạo',
  updated_at: 'Ngày cập nhật',
  min_members: 'Số thành viên tối thiểu',
  max_members: 'Số thành viên tối đa',
  leader_required: 'Bắt buộc có Tổ trưởng',
  deputy_required: 'Bắt buộc có Tổ phó',
  min_it_skilled: 'Số thành viên có kỹ năng CNTT tối thiểu',
  required_affiliations: 'Thành phần bắt buộc',
  resource: 'Loại dữ liệu',
  resource_id: 'Mã bản ghi',
  actor: 'Người thực hiện',
  action: 'Thao tác',
  at: 'Thời điểm',
  from: 'Từ ngày',
  to: 'Đến ngày',
  q: 'Tìm kiếm',
  sort: 'Sắp xếp',
  limit: 'Số dòng mỗi trang',
  offset: 'Vị trí bắt đầu',
  format: 'Định dạng tệp',
  target_id: 'Mã đối tượng được giao',
  completed_at: 'Thời điểm hoàn thành',
  was_completed_at: 'Đã hoàn thành lúc',
  was_completed_by: 'Người đã hoàn thành',
  completed_by: 'Người hoàn thành',
  rows: 'Số dòng',
  inserted: 'Thêm mới',
  updated: 'Cập nhật',
  unchanged: 'Không đổi',
  version: 'Phiên bản',
  '': 'Toàn bộ',
};
for (const [k, v] of Object.entries(LABELS.outcome)) FIELDS[k] = v;

/** The Vietnamese name of an API field, also for dotted names (outcomes.app_installs, hamlet.min_members). */
export function fieldLabel(name) {
  if (name === null || name === undefined) return '';
  if (Object.prototype.hasOwnProperty.call(FIELDS, name)) return FIELDS[name];
  const dot = name.lastIndexOf('.');
  if (dot > 0) {
    const head = name.slice(0, dot);
    const tail = name.slice(dot + 1);
    const kind = LABELS.teamKind[head];
    if (kind) return `${kind}: ${fieldLabel(tail)}`;
    return fieldLabel(tail);
  }
  return name;
}

// ---------------------------------------------------------------------------------------------
// The API's messages, in Vietnamese.

const EXACT = {
  'is required': 'Bắt buộc nhập.',
  'is not a known field': 'Mục này không được hỗ trợ.',
  'is set by the server and cannot be written': 'Mục này do hệ thống tự điền, không được sửa.',
  'cannot be changed': 'Không được thay đổi mục này.',
  'is given more than once': 'Mục này bị nhập lặp lại.',
  'must be a date YYYY-MM-DD': 'Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy.',
  'must be a UUID': 'Mã định danh không hợp lệ.',
  'must be a string': 'Phải là văn bản.',
  'must not be empty': 'Không được để trống.',
  'must be an integer': 'Phải là số nguyên.',
  'must be true or false': 'Chỉ nhận giá trị true hoặc false.',
  'must be an object of counts': 'Kết quả phải là các con số.',
  // An .xlsx export over Excel's rows (api/resource.c).
  'an Excel sheet holds at most 1048575 rows: narrow the export with filters, or ask for format=csv':
    'Một trang tính Excel chỉ chứa được 1.048.575 dòng: hãy lọc bớt, hoặc xuất CSV.',
  'must not repeat a count': 'Không được lặp lại một chỉ tiêu kết quả.',
  'must be an array': 'Phải là danh sách.',
  'must not repeat a value': 'Không được lặp lại giá trị.',
  'is not valid': 'Giá trị không hợp lệ.',
  'is not one of the allowed values': 'Giá trị không nằm trong danh sách cho phép.',
  'is too long': 'Quá dài.',
  'must be a phone number of 8 to 15 digits': 'Số điện thoại phải có từ 8 đến 15 chữ số.',
  'must be an email address': 'Địa chỉ thư điện tử không hợp lệ.',
  "must be a 10-digit tax code, or 10 digits, '-' and 3 digits for a branch":
    'Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu “-” và 3 chữ số (chi nhánh).',
  'must be a GSO code of 2, 3 or 5 digits': 'Mã đơn vị hành chính gồm 2, 3 hoặc 5 chữ số.',
  'must be between 1900 and this year': 'Phải từ năm 1900 đến năm hiện tại.',
  'already exists': 'Đã tồn tại, không được trùng.',
  'refers to a record that does not exist': 'Không tìm thấy bản ghi được chọn.',
  'refers to a unit that does not exist': 'Không có đơn vị hành chính với mã này.',
  'must be a commune': 'Phải là đơn vị cấp xã.',
  'must be a unit one level above': 'Phải là đơn vị ngay cấp trên.',
  'cannot place a unit under itself': 'Không thể đặt đơn vị dưới chính nó.',
  'is required for hamlet teams': 'Bắt buộc với Tổ khu phố, ấp.',
  'is required for enterprise and organization teams': 'Bắt buộc với Tổ doanh nghiệp và Tổ cơ quan, tổ chức.',
  "must be 3 to 64 characters of a-z, 0-9, '.', '_' or '-'":
    'Từ 3 đến 64 ký tự, chỉ gồm chữ thường không dấu a-z, chữ số, dấu “.”, “_” hoặc “-”.',
  'must be at least 8 characters': 'Tối thiểu 8 ký tự.',
  'must be at most 256 characters': 'Tối đa 256 ký tự.',
  'is required for enterprise accounts': 'Bắt buộc chọn doanh nghiệp với tài khoản doanh nghiệp.',
  'is required for this role': 'Bắt buộc chọn đơn vị với cấp tài khoản này.',
  'must be empty for enterprise accounts': 'Tài khoản doanh nghiệp không gắn với đơn vị hành chính.',
  'is only for enterprise accounts': 'Chỉ dành cho tài khoản doanh nghiệp.',
  'is required for enterprise clients': 'Bắt buộc chọn doanh nghiệp với ứng dụng cấp doanh nghiệp.',
  'must be empty for enterprise clients': 'Ứng dụng cấp doanh nghiệp không gắn với đơn vị hành chính.',
  'is only for enterprise clients': 'Chỉ dành cho ứng dụng cấp doanh nghiệp.',
  'must be an http:// or https:// address': 'Phải là địa chỉ bắt đầu bằng http:// hoặc https://.',
  'must not contain spaces or control characters': 'Không được chứa khoảng trắng.',
  'give either unit_code or enterprise_id, not both': 'Chỉ chọn một: đơn vị hoặc doanh nghiệp.',
  'is required: name the target by unit_code or enterprise_id': 'Cần chọn đơn vị được giao.',
  'is required: name the target you complete on its behalf': 'Cần chọn đơn vị được giao để hoàn thành thay.',
  'must not be less than min_members': 'Không được nhỏ hơn số thành viên tối thiểu.',
  'must not be after to': 'Ngày bắt đầu không được sau ngày kết thúc.',
  'must not be after to (today when to is not given)': 'Ngày bắt đầu không được sau ngày kết thúc.',
  'has already ended (Vietnam time): every target would be overdue at once':
    'Hạn hoàn thành đã qua: mọi đơn vị được giao sẽ bị tính quá hạn ngay khi giao.',
  'is not a team kind': 'Không phải loại tổ.',
  'is required: send the rules of every team kind': 'Cần nhập quy định cho mọi loại tổ.',
  'must be a JSON object': 'Dữ liệu không đúng dạng.',
  'must be an integer from 1 to 1000': 'Phải là số nguyên từ 1 đến 1000.',
  'must be a non-negative integer': 'Phải là số nguyên không âm.',
  // imports
  'is not a column of this import; see the CSV template': 'Không phải cột của mẫu nhập; xem tệp mẫu CSV.',
  'the column appears twice in the header': 'Cột xuất hiện hai lần ở dòng tiêu đề.',
  'the required column is missing from the header': 'Dòng tiêu đề thiếu cột bắt buộc này.',
  'the row has fewer cells than the header': 'Dòng có ít ô hơn dòng tiêu đề.',
  'the row has more cells than the header': 'Dòng có nhiều ô hơn dòng tiêu đề.',
  'the file is empty: a header row is required': 'Tệp rỗng: cần có dòng tiêu đề.',
  'the header row has an unclosed quote': 'Dòng tiêu đề có dấu ngoặc kép chưa đóng.',
  'the header row has too many columns': 'Dòng tiêu đề có quá nhiều cột.',
  'unclosed quote: the rest of the file cannot be read': 'Dấu ngoặc kép chưa đóng: không đọc được phần còn lại của tệp.',
  'the body must be a JSON array of objects': 'Dữ liệu không đúng dạng.',
  'must be valid UTF-8': 'Tệp phải được lưu với bảng mã UTF-8.',
  'no unit with this code': 'Không có đơn vị hành chính với mã này.',
  'no unit with this code, in the list or in the file': 'Không có đơn vị với mã này trong danh mục hay trong tệp.',
  'no enterprise with this tax code': 'Không có doanh nghiệp với mã số thuế này.',
  'no team with this external_id': 'Không có tổ với mã này.',
  'no team with this external_id in your scope': 'Không có tổ với mã này.',
  'no team with this id in your scope': 'Không có tổ với mã này.',
  'is required (or team_id)': 'Bắt buộc nhập (mã tổ).',
  'no enterprise with this id': 'Không có doanh nghiệp với mã này.',
  'no enterprise with this tax code in your scope': 'Không có doanh nghiệp với mã số thuế này trong phạm vi quản lý của bạn.',
  'no enterprise with this id in your scope': 'Không có doanh nghiệp với mã này trong phạm vi quản lý của bạn.',
  'the enterprise is outside your scope': 'Doanh nghiệp nằm ngoài phạm vi quản lý của bạn.',
  'an enterprise account imports only enterprise and organization teams':
    'Tài khoản doanh nghiệp chỉ nhập được tổ doanh nghiệp và tổ cơ quan, tổ chức.',
  'must be the commune where your enterprise is located': 'Phải là xã, phường nơi doanh nghiệp của bạn đặt trụ sở.',
  'must be a unit one level above: a province for a district, a district or province for a commune':
    'Đơn vị cấp trên phải là tỉnh (với huyện) hoặc huyện, tỉnh (với xã).',
  'is outside your scope': 'Nằm ngoài phạm vi quản lý của bạn.',
  'the team is outside your scope': 'Tổ nằm ngoài phạm vi quản lý của bạn.',
  'the unit exists outside your scope and cannot be changed': 'Đơn vị đã có và nằm ngoài phạm vi quản lý của bạn, không được sửa.',
  'the enterprise exists outside your scope': 'Doanh nghiệp đã có và nằm ngoài phạm vi quản lý của bạn.',
  'the team exists outside your scope': 'Tổ đã có và nằm ngoài phạm vi quản lý của bạn.',
  'the member exists outside your scope': 'Thành viên đã có và nằm ngoài phạm vi quản lý của bạn.',
  'the activity exists outside your scope': 'Hoạt động đã có và nằm ngoài phạm vi quản lý của bạn.',
  'must have 2 digits for a province, 3 for a district, 5 for a commune': 'Mã gồm 2 chữ số (tỉnh), 3 (huyện) hoặc 5 (xã).',
  'must be empty for a province': 'Phải để trống với cấp tỉnh.',
  'is required below province level': 'Bắt buộc với đơn vị dưới cấp tỉnh.',
  'is required below province level and empty for a province': 'Bắt buộc với đơn vị dưới cấp tỉnh, để trống với cấp tỉnh.',
};

const PATTERNS = [
  [/^must be at most (\d+) characters$/, (m) => `Tối đa ${m[1]} ký tự.`],
  [/^must be at least (\d+) characters$/, (m) => `Tối thiểu ${m[1]} ký tự.`],
  [/^must be between 1900 and (\d{4})$/, (m) => `Phải từ năm 1900 đến năm ${m[1]}.`],
  [/^must be between (-?\d+) and (-?\d+)$/, (m) => `Phải là số từ ${bound(m[1])} đến ${bound(m[2])}.`],
  [/^must be one of: ?(.+)$/, (m) => `Chỉ nhận một trong các giá trị: ${m[1]}.`],
  [/^(\w+) must be an integer from (\d+) to (\d+)$/,
    (m) => `Phải là số nguyên từ ${bound(m[2])} đến ${bound(m[3])}.`],
  [/^has an unknown count/, () => 'Có chỉ tiêu kết quả không được hỗ trợ.'],
  [/^appears more than once in the file \(first on row (\d+)\)$/, (m) => `Bị trùng trong tệp (xuất hiện lần đầu ở dòng ${m[1]}).`],
  [/^cannot change: the unit exists as (\w+)$/, (m) => `Không được đổi cấp: đơn vị đang là ${label('levelShort', m[1]).toLowerCase()}.`],
  [/^has no open (\w+) inside it to target$/, (m) => `Trong phạm vi này không có ${label('targetLevel', m[1]).toLowerCase()} nào để giao.`],
  [/^must be a level below the issuing unit/, () => 'Phải là cấp dưới của đơn vị giao nhiệm vụ.'],
  [/^must be a unit at (\w+) level for a \w+ (client|account)$/, (m) => `Phải là đơn vị ${label('levelShort', m[1]).toLowerCase()}.`],
  [/^the commune was closed on (\d{2}\/\d{2}\/\d{4})/, (m) => `Xã, phường này đã giải thể từ ngày ${m[1]}: chọn đơn vị đã thay thế.`],
  [/^the range spans/, () => 'Khoảng thời gian quá dài.'],
  [/^must not be after today \((\d{4})-(\d{2})-(\d{2})/, (m) => `Không được sau ngày hôm nay (${m[3]}/${m[2]}/${m[1]}): chỉ ghi nhận hoạt động đã diễn ra.`],
  [/^the same deadline was already issued/, () => 'Đơn vị đã giao một nhiệm vụ giống hệt (cùng tên, loại, hạn hoàn thành, cấp và phạm vi giao).'],
  [/^an active team of this name is already registered/, () => 'Xã, phường này đã có một tổ đang hoạt động cùng tên ở cùng khu phố, ấp: có thể tổ đã được nhập trước đó.'],
  [/^can order by:/, () => 'Không sắp xếp được theo mục này.'],
  [/^is X inside the subtree of Y/, () => 'Nằm ngoài phạm vi cho phép.'],
];

// Bounds in messages: 1.000.000 is grouped, a year like 2026 is not.
const bound = (n) => (Math.abs(Number(n)) >= 10000 ? formatNumber(Number(n)) : String(n));

// A CSV file's cells are written as the API reads them (dates YYYY-MM-DD), not as a form's.
const IN_FILE = {
  'must be a date YYYY-MM-DD': 'Ngày phải ghi theo dạng YYYY-MM-DD, ví dụ 2026-03-15 (không ghi 15/03/2026).',
  'must be true or false': 'Chỉ ghi true hoặc false.',
};

// Field errors by their machine code (the server's one table: server/src/http/problem.c; the
// codes are listed in docs/integrating.md §4). A code whose sentence follows from the code alone,
// and from the bound, choices, row or day its message names, is translated here, whatever the
// message's wording. The codes of rules each message states in its own terms (required_if,
// not_applicable, format, too_many, not_found, level, unit_period, scope, order, confirm) are left
// to the message tables above, which know each rule's sentence; so is anything a function here
// cannot read (it returns undefined).
const numbers = (message) => (message.match(/-?\d+/g) || []);
const TYPES = [
  [/^must be a string/, () => 'Phải là văn bản.'],
  [/^must be (an integer|a whole number)/, () => 'Phải là số nguyên.'],
  [/^must be true or false/, (inFile) => (inFile ? IN_FILE['must be true or false'] : EXACT['must be true or false'])],
  [/^must be an object of counts/, () => 'Kết quả phải là các con số.'],
  [/^must be an array/, () => 'Phải là danh sách.'],
];
const CODES = {
  required: () => 'Bắt buộc nhập.',
  unknown_field: (m, inFile) => (inFile ? 'Không phải cột của mẫu nhập; xem tệp mẫu CSV.' : 'Mục này không được hỗ trợ.'),
  read_only: () => 'Mục này do hệ thống tự điền, không được sửa.',
  immutable: (m) => {
    const level = /exists as (\w+)$/.exec(m);
    return level ? `Không được đổi cấp: đơn vị đang là ${label('levelShort', level[1]).toLowerCase()}.` : 'Không được thay đổi mục này.';
  },
  repeated: () => 'Mục này bị nhập lặp lại.',
  repeated_value: () => 'Không được lặp lại giá trị.',
  type: (m, inFile) => {
    const found = TYPES.find(([re]) => re.test(m));
    return found ? found[1](inFile) : 'Dữ liệu không đúng dạng.';
  },
  enum: (m) => {
    const allowed = /one of: ?(.+)$/.exec(m);
    return allowed ? `Chỉ nhận một trong các giá trị: ${allowed[1]}.` : undefined;
  },
  too_short: (m) => {
    const [min] = numbers(m);
    return min ? `Tối thiểu ${min} ký tự.` : 'Không được để trống.';
  },
  too_long: (m) => {
    const max = /at most (\d+) characters/.exec(m);
    return max ? `Tối đa ${max[1]} ký tự.` : 'Quá dài.';
  },
  range: (m) => {
    if (/non-negative/.test(m)) return 'Phải là số nguyên không âm.';
    const [min, max] = numbers(m);
    // Birth years: bounded by 1900 and this year.
    if (min === '1900') return max ? `Phải từ năm 1900 đến năm ${max}.` : EXACT['must be between 1900 and this year'];
    if (min === undefined || max === undefined) return undefined;
    return /integer/.test(m) ? `Phải là số nguyên từ ${bound(min)} đến ${bound(max)}.` : `Phải là số từ ${bound(min)} đến ${bound(max)}.`;
  },
  date: (m, inFile) => (inFile ? IN_FILE['must be a date YYYY-MM-DD'] : EXACT['must be a date YYYY-MM-DD']),
  uuid: () => 'Mã định danh không hợp lệ.',
  duplicate: (m) => {
    const first = /first on row (\d+)/.exec(m);
    return first ? `Bị trùng trong tệp (xuất hiện lần đầu ở dòng ${first[1]}).` : 'Đã tồn tại, không được trùng.';
  },
  future_date: (m) => {
    const day = /(\d{4})-(\d{2})-(\d{2})/.exec(m);
    return `Không được sau ngày hôm nay${day ? ` (${day[3]}/${day[2]}/${day[1]})` : ''}: chỉ ghi nhận hoạt động đã diễn ra.`;
  },
};

/**
 * The Vietnamese text of one of the API's field errors ({field, message, code}): by its code, else
 * by its message. `inFile` for a cell of an imported file.
 */
export function translateError(error, { inFile = false } = {}) {
  const code = error?.code;
  const byCode = typeof code === 'string' && Object.prototype.hasOwnProperty.call(CODES, code)
    ? CODES[code](String(error.message || ''), inFile) : undefined;
  return byCode || translateMessage(error?.message, { inFile });
}

/** The Vietnamese text of one of the API's messages; `inFile` for a cell of an imported file. */
export function translateMessage(message, { inFile = false } = {}) {
  if (!message) return T.genericInvalid;
  const m = String(message).trim();
  if (inFile && Object.prototype.hasOwnProperty.call(IN_FILE, m)) return IN_FILE[m];
  if (Object.prototype.hasOwnProperty.call(EXACT, m)) return EXACT[m];
  for (const [re, fn] of PATTERNS) {
    const found = re.exec(m);
    if (found) return fn(found);
  }
  return T.genericInvalid;
}

/** A sentence for a problem that names no field, by status (and a few known details). */
export function problemText(status, detail = '') {
  const d = String(detail || '');
  switch (status) {
    case 400: return T.status400;
    case 401: return d === 'Wrong username or password' ? T.wrongCredentials : T.sessionExpired;
    case 403: {
      // Sign-in of an account (or client) whose unit was closed: the server names it and the day.
      const closed = /^The (?:account|client)'s unit \((\d+), (.*)\) was closed on (\d{4}-\d{2}-\d{2})/.exec(d);
      if (closed) return T.unitClosed(closed[2], closed[1], formatDate(closed[3]));
      if (/read-only/i.test(d)) return T.status403ReadOnly;
      if (/outside your scope/i.test(d)) return T.status403Scope;
      return T.status403;
    }
    case 404: return T.status404;
    case 409:
      if (/logged activities/.test(d)) return T.status409Team;
      if (/already done/.test(d)) return T.status409Done;
      if (/is not done/.test(d)) return T.status409NotDone;
      return T.status409;
    case 412: return T.status412;
    case 413: return T.status413;
    case 415: return T.status415;
    case 422: return T.formHasErrors;
    case 429: {
      const wait = /try again in (\d+) seconds/.exec(d);
      return wait ? T.signinLocked(Math.max(1, Math.ceil(Number(wait[1]) / 60))) : T.status429;
    }
    case 502: case 503: case 504: return T.unavailable;
    default: return T.status500;
  }
}

// ---------------------------------------------------------------------------------------------
// Formats.

const NUMBER = new Intl.NumberFormat('vi-VN');
const PERCENT = new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 });

/** 12548 → "12.548"; null → "—". */
export function formatNumber(n) {
  if (n === null || n === undefined || n === '' || Number.isNaN(Number(n))) return T.none;
  return NUMBER.format(Number(n));
}

/** 0.8571 → "85,7 %"; null → "—". */
export function formatPercent(rate) {
  if (rate === null || rate === undefined || rate === '') return T.none;
  return PERCENT.format(Number(rate));
}

/** A rate with what it is of: "11,1 % (4/36)"; an empty rate "—". */
export function formatRate(rate, num, den) {
  if (rate === null || rate === undefined) return T.none;
  return den === null || den === undefined ? formatPercent(rate) : `${formatPercent(rate)} (${formatNumber(num)}/${formatNumber(den)})`;
}

const pad = (n) => String(n).padStart(2, '0');

/** "2026-03-15" (or a timestamp) → "15/03/2026"; empty → "—". */
export function formatDate(value) {
  if (!value) return T.none;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value));
  if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  const p = zonedParts(new Date(value));
  return p ? `${p.day}/${p.month}/${p.year}` : String(value);
}

/** A timestamp → "15/03/2026 14:05" in Vietnam's time. */
export function formatDateTime(value) {
  if (!value) return T.none;
  const p = zonedParts(new Date(value));
  return p ? `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}` : String(value);
}

/** "2026-03-01" → "03/2026" (a month on a chart's axis); week starts as dd/mm. */
export function formatPeriod(value, interval) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value));
  if (!m) return String(value);
  return interval === 'week' ? `${m[3]}/${m[2]}` : `${m[2]}/${m[1]}`;
}

const ZONED = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

function zonedParts(date) {
  if (Number.isNaN(date.getTime())) return null;
  const out = {};
  for (const part of ZONED.formatToParts(date)) out[part.type] = part.value;
  return out;
}

/** Today in Vietnam as YYYY-MM-DD, moved by `days`. */
export function todayIso(days = 0) {
  const p = zonedParts(new Date());
  const d = new Date(Date.UTC(+p.year, +p.month - 1, +p.day + days));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * What a person typed as a date → YYYY-MM-DD. Accepts dd/mm/yyyy (also d/m/yyyy, '-' or '.'
 * as separators) and yyyy-mm-dd. "" for empty input, null when it is not a real date.
 */
export function parseDate(text) {
  const s = String(text || '').trim();
  if (!s) return '';
  let y; let m; let d;
  let found = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (found) [, d, m, y] = found;
  else if ((found = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s))) [, y, m, d] = found;
  else return null;
  const date = new Date(Date.UTC(+y, +m - 1, +d));
  if (date.getUTCFullYear() !== +y || date.getUTCMonth() !== +m - 1 || date.getUTCDate() !== +d) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}
