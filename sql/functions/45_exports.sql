-- 45_exports: the exports a person reads (?columns=labels, issue 13): Vietnamese column headers,
-- names beside codes, Vietnamese labels for codes; as CSV (format=csv) or Excel (format=xlsx).
--
-- The machine export (columns=api, CSV's default) writes the API documents as they are, so that a
-- file imports back; these documents are what a person gets instead. Each *_labels function
-- returns one JSON object per row whose keys are the column headers, in order: the C side
-- (server/src/api/*.c, `label_columns`) names the same headers, each with the kind of its value,
-- and looks each one up, so a header without a value here is an empty column, which
-- tests/api/reports.test.mjs catches. Values keep their types, and the writer renders them
-- (server/src/http/columns.h): numbers are JSON numbers; a day is YYYY-MM-DD (a date), a moment
-- YYYY-MM-DDTHH:MI:SS in Vietnam's time (export_moment), a rate a fraction (export_ratio); CSV
-- writes them dd/mm/yyyy, dd/mm/yyyy HH:MM and "54,5%", Excel as dates and percentages. The
-- labels are GLOSSARY.md's, kept in this file alone on the server (web/js/i18n.js for the client).
-- Masked personal data (personal_masked, 25_documents.sql) stays masked: these read the same
-- documents.

-- The Vietnamese label of an API code in a group; the code itself when there is none.
CREATE OR REPLACE FUNCTION vi_label(grp text, code text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce((SELECT l.label FROM (VALUES
        ('level', 'province', 'Tỉnh, thành phố trực thuộc Trung ương'),
        ('level', 'district', 'Huyện, quận, thị xã, thành phố thuộc tỉnh'),
        ('level', 'commune', 'Xã, phường, thị trấn'),
        ('role', 'national', 'Toàn quốc'),
        ('role', 'province', 'Cấp tỉnh'),
        ('role', 'district', 'Cấp huyện'),
        ('role', 'commune', 'Cấp xã'),
        ('role', 'enterprise', 'Doanh nghiệp'),
        ('target_level', 'district', 'Cấp huyện'),
        ('target_level', 'commune', 'Cấp xã'),
        ('target_level', 'enterprise', 'Doanh nghiệp'),
        ('team_kind', 'commune', 'Tổ cấp xã'),
        ('team_kind', 'hamlet', 'Tổ khu phố, ấp'),
        ('team_kind', 'enterprise', 'Tổ doanh nghiệp'),
        ('team_kind', 'organization', 'Tổ cơ quan, tổ chức'),
        ('team_status', 'active', 'Đang hoạt động'),
        ('team_status', 'dissolved', 'Đã giải thể'),
        ('position', 'leader', 'Tổ trưởng'),
        ('position', 'deputy', 'Tổ phó'),
        ('position', 'member', 'Thành viên'),
        ('gender', 'male', 'Nam'),
        ('gender', 'female', 'Nữ'),
        ('gender', 'other', 'Khác'),
        ('affiliation', 'commune_government', 'Chính quyền xã'),
        ('affiliation', 'police', 'Công an'),
        ('affiliation', 'military', 'Quân sự'),
        ('affiliation', 'youth_union', 'Đoàn Thanh niên'),
        ('affiliation', 'women_union', 'Hội Liên hiệp Phụ nữ'),
        ('affiliation', 'farmers_union', 'Hội Nông dân'),
        ('affiliation', 'veterans_union', 'Hội Cựu chiến binh'),
        ('affiliation', 'trade_union', 'Công đoàn'),
        ('affiliation', 'fatherland_front', 'Mặt trận Tổ quốc'),
        ('affiliation', 'telecom', 'Doanh nghiệp bưu chính, viễn thông'),
        ('affiliation', 'enterprise', 'Doanh nghiệp'),
        ('affiliation', 'school', 'Nhà trường'),
        ('affiliation', 'hamlet_head', 'Trưởng khu phố, ấp'),
        ('affiliation', 'volunteer', 'Tình nguyện viên'),
        ('affiliation', 'other', 'Khác'),
        ('activity_kind', 'public_services', 'Hướng dẫn dịch vụ công trực tuyến'),
        ('activity_kind', 'vneid', 'Hướng dẫn định danh điện tử (VNeID)'),
        ('activity_kind', 'cashless_payment', 'Thanh toán không dùng tiền mặt'),
        ('activity_kind', 'ecommerce', 'Thương mại điện tử'),
        ('activity_kind', 'digital_skills', 'Kỹ năng số'),
        ('activity_kind', 'cyber_safety', 'An toàn thông tin mạng'),
        ('activity_kind', 'communication', 'Tuyên truyền'),
        ('activity_kind', 'other', 'Khác'),
        ('deadline_kind', 'team_setup', 'Thành lập tổ'),
        ('deadline_kind', 'report', 'Báo cáo'),
        ('deadline_kind', 'other', 'Khác'),
        ('target_status', 'pending', 'Chưa đến hạn'),
        ('target_status', 'overdue', 'Quá hạn'),
        ('target_status', 'done', 'Đã hoàn thành'),
        ('recurrence', 'none', 'Một lần'),
        ('recurrence', 'monthly', 'Hằng tháng'),
        ('recurrence', 'quarterly', 'Hằng quý'),
        ('audit_action', 'create', 'Thêm mới'),
        ('audit_action', 'update', 'Sửa'),
        ('audit_action', 'delete', 'Xóa'),
        ('audit_action', 'login', 'Đăng nhập'),
        ('audit_action', 'login_failed', 'Đăng nhập không thành công'),
        ('audit_action', 'import', 'Nhập dữ liệu'),
        ('audit_action', 'complete', 'Hoàn thành'),
        ('audit_action', 'reopen', 'Mở lại'),
        ('audit_action', 'revoke', 'Thu hồi'),
        ('audit_action', 'token', 'Cấp mã truy cập'),
        ('audit_action', 'rehome', 'Chuyển về đơn vị mới'),
        ('audit_action', 'report', 'Đính kèm báo cáo'),
        ('resource', 'units', 'Đơn vị hành chính'),
        ('resource', 'enterprises', 'Doanh nghiệp, cơ quan, tổ chức'),
        ('resource', 'teams', 'Tổ CNSCĐ'),
        ('resource', 'members', 'Thành viên'),
        ('resource', 'activities', 'Hoạt động'),
        ('resource', 'deadlines', 'Nhiệm vụ có thời hạn'),
        ('resource', 'users', 'Người dùng'),
        ('resource', 'clients', 'Ứng dụng kết nối'),
        ('resource', 'rules', 'Quy định cơ cấu tổ'),
        ('resource', 'auth', 'Đăng nhập'),
        ('compliance_problem', 'too_few_members', 'Chưa đủ số thành viên tối thiểu'),
        ('compliance_problem', 'too_many_members', 'Vượt số thành viên tối đa'),
        ('compliance_problem', 'no_leader', 'Chưa có Tổ trưởng'),
        ('compliance_problem', 'no_deputy', 'Chưa có Tổ phó'),
        ('compliance_problem', 'too_few_it_skilled', 'Chưa đủ thành viên có kỹ năng công nghệ thông tin cơ bản'),
        ('compliance_problem', 'missing_affiliation', 'Thiếu thành phần bắt buộc')
    ) l(grp, code, label) WHERE l.grp = vi_label.grp AND l.code = vi_label.code), code)
$$;

-- A moment as Vietnam reads it, in Asia/Ho_Chi_Minh, without an offset: YYYY-MM-DDTHH:MI:SS.
CREATE OR REPLACE FUNCTION export_moment(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS')
$$;

CREATE OR REPLACE FUNCTION vi_yes_no(b boolean) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE b WHEN true THEN 'Có' WHEN false THEN 'Không' END
$$;

-- A unit's name by its code (any version's key).
CREATE OR REPLACE FUNCTION unit_name_of(p_code text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT u.name FROM units u WHERE u.code = p_code
$$;

-- The district a unit lies in (itself when it is one); NULL for units of the two-level structure.
CREATE OR REPLACE FUNCTION unit_district_name(p_code text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT d.name FROM units u JOIN units d ON d.code = ANY (u.ancestors) AND d.level = 'district'
     WHERE u.code = p_code LIMIT 1
$$;

-- The province a unit lies in.
CREATE OR REPLACE FUNCTION unit_province_name(p_code text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT p.name FROM units u JOIN units p ON p.code = u.ancestors[1] WHERE u.code = p_code
$$;

CREATE OR REPLACE FUNCTION enterprise_name_of(p_id uuid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT e.name FROM enterprises e WHERE e.id = p_id
$$;

-- A rate: part of whole as a fraction (0.545); NULL (an empty cell) when there is nothing to take
-- a rate of. Not rounded: CSV writes it to a tenth of a percent, Excel shows it so and keeps it.
CREATE OR REPLACE FUNCTION export_ratio(part numeric, whole numeric) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT part / nullif(whole, 0)
$$;

-- ---------------------------------------------------------------------------------------------
-- One row per list (the key order is the column order).

CREATE OR REPLACE FUNCTION unit_labels(u units) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'Mã đơn vị', u.gso_code, 'Tên đơn vị', u.name, 'Cấp', vi_label('level', u.level),
        'Mã đơn vị cấp trên', u.parent_code, 'Tên đơn vị cấp trên', unit_name_of(u.parent_code),
        'Ngày có hiệu lực', u.valid_from, 'Ngày hết hiệu lực', u.valid_to,
        'Sáp nhập từ', (SELECT string_agg(p.name || ' (' || p.gso_code || ')', '; ' ORDER BY p.code)
                          FROM unit_successors l JOIN units p ON p.code = l.predecessor WHERE l.successor = u.code),
        'Chuyển thành', (SELECT string_agg(n.name || ' (' || n.gso_code || ')', '; ' ORDER BY n.code)
                           FROM unit_successors l JOIN units n ON n.code = l.successor WHERE l.predecessor = u.code))
$$;

CREATE OR REPLACE FUNCTION enterprise_labels(e enterprises) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'Tên doanh nghiệp, cơ quan, tổ chức', e.name, 'Mã số thuế', e.tax_code,
        'Mã xã', e.unit_code, 'Xã, phường, thị trấn', unit_name_of(e.unit_code),
        'Quận, huyện', unit_district_name(e.unit_code), 'Địa chỉ', e.address,
        'Người liên hệ', e.contact_name,
        'Điện thoại liên hệ', CASE WHEN personal_masked() THEN mask_text(e.contact_phone) ELSE e.contact_phone END,
        'Ngày tạo', export_moment(e.created_at), 'Ngày cập nhật', export_moment(e.updated_at))
$$;

CREATE OR REPLACE FUNCTION team_labels(t teams) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'Tên tổ', t.name, 'Loại tổ', vi_label('team_kind', t.kind),
        'Mã xã', t.unit_code, 'Xã, phường, thị trấn', unit_name_of(t.unit_code),
        'Quận, huyện', unit_district_name(t.unit_code), 'Tỉnh, thành phố', unit_province_name(t.unit_code),
        'Khu phố, ấp', t.hamlet,
        'Doanh nghiệp, cơ quan, tổ chức', enterprise_name_of(t.enterprise_id),
        'Số quyết định thành lập', t.decision_no, 'Ngày thành lập', t.established_on,
        'Trạng thái', vi_label('team_status', t.status),
        'Số thành viên', d.member_count, 'Tổ trưởng', d.leader_name,
        'Cơ cấu', CASE WHEN d.ok THEN 'Đạt cơ cấu' ELSE 'Chưa đạt cơ cấu' END,
        'Lý do chưa đạt', d.problems,
        'Ghi chú', t.note, 'Mã trong hệ thống khác', t.external_id,
        'Ngày cập nhật', export_moment(t.updated_at))
      FROM (SELECT team_member_count(t.id) AS member_count,
                   (SELECT m.full_name FROM active_members m WHERE m.team_id = t.id AND m.position = 'leader'
                     ORDER BY m.joined_on NULLS LAST, m.created_at LIMIT 1) AS leader_name,
                   (c->>'ok')::boolean AS ok,
                   (SELECT string_agg(vi_label('compliance_problem', p->>'code'), '; ')
                      FROM jsonb_array_elements(c->'problems') p) AS problems
              FROM team_compliance(t.id) c) d
$$;

CREATE OR REPLACE FUNCTION member_labels(m members) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'Họ và tên', m.full_name, 'Giới tính', vi_label('gender', m.gender), 'Năm sinh', m.birth_year,
        'Điện thoại', CASE WHEN personal_masked() THEN mask_text(m.phone) ELSE m.phone END,
        'Thư điện tử', CASE WHEN personal_masked() THEN mask_text(m.email) ELSE m.email END,
        'Chức danh', vi_label('position', m.position), 'Thành phần', vi_label('affiliation', m.affiliation),
        'Có kỹ năng công nghệ thông tin cơ bản', vi_yes_no(m.it_skilled),
        'Ngày hoàn thành tập huấn', m.trained_on,
        'Ngày tham gia', m.joined_on, 'Ngày rời tổ', m.left_on,
        'Tên tổ', t.name, 'Mã xã', t.unit_code, 'Xã, phường, thị trấn', unit_name_of(t.unit_code),
        'Quận, huyện', unit_district_name(t.unit_code),
        'Mã trong hệ thống khác', m.external_id)
      FROM teams t WHERE t.id = m.team_id
$$;

CREATE OR REPLACE FUNCTION activity_labels(a activities) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'Ngày', a.held_on, 'Loại hoạt động', vi_label('activity_kind', a.kind),
        'Nội dung', a.title, 'Địa điểm', a.location,
        'Tên tổ', t.name, 'Mã xã', t.unit_code, 'Xã, phường, thị trấn', unit_name_of(t.unit_code),
        'Quận, huyện', unit_district_name(t.unit_code),
        'Số người được hỗ trợ', a.people_reached,
        'Tài khoản định danh điện tử được kích hoạt', (a.outcomes->>'vneid_activations')::bigint,
        'Hồ sơ dịch vụ công trực tuyến', (a.outcomes->>'public_service_applications')::bigint,
        'Tài khoản thanh toán được mở', (a.outcomes->>'cashless_accounts')::bigint,
        'Gian hàng thương mại điện tử', (a.outcomes->>'ecommerce_shops')::bigint,
        'Lượt cài đặt ứng dụng', (a.outcomes->>'app_installs')::bigint,
        'Người được tập huấn kỹ năng số', (a.outcomes->>'people_trained')::bigint,
        'Ghi chú', a.note, 'Mã trong hệ thống khác', a.external_id)
      FROM teams t WHERE t.id = a.team_id
$$;

-- The deadline as the actor sees it (its counts are of the targets the actor sees).
CREATE OR REPLACE FUNCTION deadline_labels(actor_unit text, actor_enterprise uuid, d deadlines) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'Tên nhiệm vụ', d.title, 'Loại', vi_label('deadline_kind', d.kind),
        'Hạn hoàn thành', d.due_on,
        'Đơn vị giao', unit_name_of(d.issued_by_unit), 'Mã đơn vị giao', d.issued_by_unit,
        'Giao cho', vi_label('target_level', d.target_level),
        'Phạm vi', unit_name_of(d.scope_unit), 'Lặp lại', vi_label('recurrence', d.recurrence),
        'Số đơn vị', (doc->'targets'->>'total')::bigint,
        'Chưa đến hạn', (doc->'targets'->>'pending')::bigint,
        'Quá hạn', (doc->'targets'->>'overdue')::bigint,
        'Đúng hạn', (doc->'targets'->>'done_on_time')::bigint,
        'Trễ hạn', (doc->'targets'->>'done_late')::bigint,
        'Mô tả', d.description)
      FROM (SELECT deadline_doc(actor_unit, actor_enterprise, d)::jsonb AS doc) x
$$;

-- A deadline target: which unit, what became of it. `Kết quả` says in one word what a committee
-- asks first: done on time, done late, overdue (not done, its day has ended) or not yet due.
CREATE OR REPLACE FUNCTION deadline_target_labels(t deadline_targets) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'Mã đơn vị', (SELECT u.gso_code FROM units u WHERE u.code = t.unit_code),
        'Tên đơn vị', coalesce(unit_name_of(t.unit_code), e.name),
        'Quận, huyện', unit_district_name(coalesce(t.unit_code, e.unit_code)),
        'Doanh nghiệp, cơ quan, tổ chức', e.name, 'Mã số thuế', e.tax_code,
        'Hạn hoàn thành', d.due_on,
        'Kết quả', CASE WHEN t.completed_at IS NULL THEN vi_label('target_status', target_status(NULL, d.due_on))
                        WHEN target_on_time(t.completed_at, d.due_on) THEN 'Đúng hạn' ELSE 'Trễ hạn' END,
        'Trạng thái', vi_label('target_status', target_status(t.completed_at, d.due_on)),
        'Thời điểm hoàn thành', export_moment(t.completed_at),
        'Người hoàn thành', CASE t.completed_by WHEN 'auto' THEN 'Tự động (đủ tổ đạt cơ cấu)' ELSE t.completed_by END,
        'Báo cáo đính kèm', vi_yes_no(EXISTS (SELECT 1 FROM deadline_reports r WHERE r.target_id = t.id)),
        'Ghi chú', t.note, 'Liên kết', t.link)
      FROM deadlines d LEFT JOIN enterprises e ON e.id = t.enterprise_id
     WHERE d.id = t.deadline_id
$$;

-- The caller's own target with its deadline (GET /deadlines?mine=true).
CREATE OR REPLACE FUNCTION deadline_mine_labels(actor_unit text, actor_enterprise uuid, t deadline_targets)
RETURNS json LANGUAGE sql STABLE AS $$
    -- Two objects joined as text, so that the keys keep their order (jsonb would sort them).
    SELECT (left(deadline_labels(actor_unit, actor_enterprise, d)::text, -1) || ', '
            || substr(json_build_object(
                   'Kết quả của đơn vị', CASE WHEN t.completed_at IS NULL THEN vi_label('target_status', target_status(NULL, d.due_on))
                                              WHEN target_on_time(t.completed_at, d.due_on) THEN 'Đúng hạn' ELSE 'Trễ hạn' END,
                   'Thời điểm hoàn thành', export_moment(t.completed_at), 'Ghi chú của đơn vị', t.note)::text, 2))::json
      FROM deadlines d WHERE d.id = t.deadline_id
$$;

CREATE OR REPLACE FUNCTION user_labels(u users) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'Tên đăng nhập', u.username, 'Họ và tên', u.full_name, 'Vai trò', vi_label('role', u.role),
        'Mã đơn vị', u.unit_code, 'Tên đơn vị', unit_name_of(u.unit_code),
        'Doanh nghiệp, cơ quan, tổ chức', enterprise_name_of(u.enterprise_id),
        'Tài khoản chỉ xem', vi_yes_no(u.read_only), 'Bị khóa', vi_yes_no(u.disabled),
        'Đổi mật khẩu lúc', export_moment(u.password_changed_at), 'Ngày tạo', export_moment(u.created_at))
$$;

CREATE OR REPLACE FUNCTION client_labels(c api_clients) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'Mã ứng dụng', c.client_id, 'Tên ứng dụng', c.name, 'Vai trò', vi_label('role', c.role),
        'Mã đơn vị', c.unit_code, 'Tên đơn vị', unit_name_of(c.unit_code),
        'Doanh nghiệp, cơ quan, tổ chức', enterprise_name_of(c.enterprise_id),
        'Chỉ xem', vi_yes_no(c.read_only), 'Được xem dữ liệu cá nhân', vi_yes_no(c.personal_data),
        'Người tạo', c.created_by, 'Ngày tạo', export_moment(c.created_at), 'Thu hồi lúc', export_moment(c.revoked_at))
$$;

CREATE OR REPLACE FUNCTION audit_labels(a audit) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'Thời điểm', export_moment(a.at), 'Người thao tác', a.actor,
        'Thao tác', vi_label('audit_action', a.action), 'Đối tượng', vi_label('resource', a.resource),
        'Mã đối tượng', a.resource_id, 'Mã đơn vị', a.unit_code, 'Tên đơn vị', unit_name_of(a.unit_code),
        'Nội dung thay đổi', nullif((audit_doc(a) -> 'changes')::text, 'null'))
$$;
