-- Demo data, on the structure the country runs on today (issue 12): Thành phố Hồ Chí Minh (79) and
-- its 36 communes that came from Tỉnh Bình Dương (74), with Bình Dương's history before the
-- 1 July 2025 reform: its 9 districts and 91 communes (closed that day), four enterprises,
-- fourteen teams with their members, their activities of 2024 and an annual report of 2024, all
-- made under the old units, then moved to the new ones by the real mapping (re-homing, the same
-- function as POST /api/v1/rehome), and the activities of 2026 in the new units. Seven accounts
-- (password demo12345). Provenance and the fixed ids are in sql/seed/README.md. People, phones,
-- e-mails, enterprises and tax codes are invented.
--
-- Run from the project root, after the migrations, on a database without these rows:
--   psql -v ON_ERROR_STOP=1 -f sql/seed/demo.sql "$DATABASE_URL"
-- The \copy paths are relative to the working directory. One transaction: all or nothing.

\set ON_ERROR_STOP 1
BEGIN;

-- Units, by the functions imports use (sql/functions/05_units.sql): Bình Dương's as they were
-- before the reform. The records of then are made under them; the reform comes after them.
CREATE TEMP TABLE seed_units (code text, name text, level text, parent_code text) ON COMMIT DROP;
\copy seed_units FROM 'sql/seed/units-74.csv' WITH (FORMAT csv, HEADER true)
SELECT * FROM units_load((SELECT jsonb_agg(to_jsonb(s)) FROM seed_units s), NULL, NULL);

-- The records of before the reform, under the units of then (unit_key(code, '2025-06-30')).
-- Ids: 00000000-0000-4000-8000-K0000000000N with K = 1 accounts, 2 enterprises, 3 teams, 4 members,
-- 5 deadlines.
INSERT INTO enterprises (id, name, tax_code, unit_code, address, contact_name, contact_phone)
SELECT id::uuid, name, tax_code, unit_key(unit_code, '2025-06-30'), address, contact_name, contact_phone FROM (VALUES
    ('00000000-0000-4000-8000-200000000001', 'Công ty Cổ phần Công nghệ Số Thủ Dầu Một', '3702105834', '25747',
     'Số 18 đường Bạch Đằng, Phường Phú Cường, Thành phố Thủ Dầu Một, Tỉnh Bình Dương', 'Nguyễn Hoàng Long', '0969815142'),
    ('00000000-0000-4000-8000-200000000002', 'Công ty TNHH May mặc Dĩ An', '3703259146', '25942',
     'Số 45 đường Nguyễn An Ninh, Phường Dĩ An, Thành phố Dĩ An, Tỉnh Bình Dương', 'Lương Thị Kim Chi', '0963517784'),
    ('00000000-0000-4000-8000-200000000003', 'Công ty TNHH Gốm sứ Lái Thiêu', '3703772615', '25966',
     'Số 7 đường Phan Đình Phùng, Phường Lái Thiêu, Thành phố Thuận An, Tỉnh Bình Dương', 'Trương Văn Phát', '0972548908'),
    ('00000000-0000-4000-8000-200000000004', 'Hợp tác xã Dịch vụ Nông nghiệp Định An', '3704421088', '25789',
     'Ấp Định Thọ, Xã Định An, Huyện Dầu Tiếng, Tỉnh Bình Dương', 'Bùi Văn Lâm', '0912372963')) v (id, name, tax_code, unit_code, address, contact_name, contact_phone);

INSERT INTO teams (id, external_id, name, kind, unit_code, hamlet, enterprise_id, decision_no, established_on, status, note)
SELECT id::uuid, external_id, name, kind, unit_key(unit_code, '2025-06-30'), hamlet, enterprise_id::uuid, decision_no, established_on::date, status, note FROM (VALUES
    ('00000000-0000-4000-8000-300000000001', 'demo-team-25747-commune', 'Tổ CNSCĐ phường Phú Cường', 'commune', '25747', NULL,
     NULL, '215/QĐ-UBND', '2022-09-15', 'active', NULL),
    ('00000000-0000-4000-8000-300000000002', 'demo-team-25747-kp1', 'Tổ CNSCĐ khu phố 1', 'hamlet', '25747', 'Khu phố 1',
     NULL, '216/QĐ-UBND', '2022-09-20', 'active', NULL),
    ('00000000-0000-4000-8000-300000000003', 'demo-team-25747-kp2', 'Tổ CNSCĐ khu phố 2', 'hamlet', '25747', 'Khu phố 2',
     NULL, '217/QĐ-UBND', '2022-09-20', 'active', NULL),
    ('00000000-0000-4000-8000-300000000004', 'demo-team-25747-kp3', 'Tổ CNSCĐ khu phố 3', 'hamlet', '25747', 'Khu phố 3',
     NULL, '218/QĐ-UBND', '2022-09-20', 'active', NULL),
    ('00000000-0000-4000-8000-300000000005', 'demo-team-25747-kp4', 'Tổ CNSCĐ khu phố 4', 'hamlet', '25747', 'Khu phố 4',
     NULL, '219/QĐ-UBND', '2022-10-05', 'active', NULL),
    ('00000000-0000-4000-8000-300000000006', 'demo-team-25747-kp5', 'Tổ CNSCĐ khu phố 5', 'hamlet', '25747', 'Khu phố 5',
     NULL, '220/QĐ-UBND', '2022-10-05', 'dissolved', 'Giải thể ngày 01/01/2024 khi nhập khu phố 5 vào khu phố 4'),
    ('00000000-0000-4000-8000-300000000007', 'demo-team-25747-ent', 'Tổ CNSCĐ Công ty Cổ phần Công nghệ Số Thủ Dầu Một', 'enterprise', '25747', NULL,
     '00000000-0000-4000-8000-200000000001', NULL, '2023-03-01', 'active', NULL),
    ('00000000-0000-4000-8000-300000000008', 'demo-team-25942-commune', 'Tổ CNSCĐ phường Dĩ An', 'commune', '25942', NULL,
     NULL, '412/QĐ-UBND', '2022-10-10', 'active', NULL),
    ('00000000-0000-4000-8000-300000000009', 'demo-team-25942-kp1', 'Tổ CNSCĐ khu phố Thống Nhất 1', 'hamlet', '25942', 'Khu phố Thống Nhất 1',
     NULL, '413/QĐ-UBND', '2022-10-12', 'active', NULL),
    ('00000000-0000-4000-8000-300000000010', 'demo-team-25942-kp2', 'Tổ CNSCĐ khu phố Bình Minh 1', 'hamlet', '25942', 'Khu phố Bình Minh 1',
     NULL, '414/QĐ-UBND', '2022-10-12', 'active', NULL),
    ('00000000-0000-4000-8000-300000000011', 'demo-team-25942-ent', 'Tổ CNSCĐ Công ty TNHH May mặc Dĩ An', 'enterprise', '25942', NULL,
     '00000000-0000-4000-8000-200000000002', NULL, '2023-05-15', 'active', NULL),
    ('00000000-0000-4000-8000-300000000012', 'demo-team-25966-commune', 'Tổ CNSCĐ phường Lái Thiêu', 'commune', '25966', NULL,
     NULL, '305/QĐ-UBND', '2022-11-01', 'active', NULL),
    ('00000000-0000-4000-8000-300000000013', 'demo-team-25789-ap-dinhtho', 'Tổ CNSCĐ ấp Định Thọ', 'hamlet', '25789', 'Ấp Định Thọ',
     NULL, '98/QĐ-UBND', '2022-11-20', 'active', NULL),
    ('00000000-0000-4000-8000-300000000014', 'demo-team-25789-htx', 'Tổ CNSCĐ Hợp tác xã Dịch vụ Nông nghiệp Định An', 'organization', '25789', NULL,
     '00000000-0000-4000-8000-200000000004', NULL, '2023-06-01', 'active', NULL)) v (id, external_id, name, kind, unit_code, hamlet, enterprise_id, decision_no, established_on, status, note);

INSERT INTO members (id, external_id, team_id, full_name, gender, birth_year, phone, email,
                     position, affiliation, it_skilled, trained_on, joined_on, left_on) VALUES
    ('00000000-0000-4000-8000-400000000001', 'demo-member-25747-commune-1', '00000000-0000-4000-8000-300000000001', 'Trần Quốc Hùng', 'male', 1975, '0946083290', 'hung.tq75@example.vn',
     'leader', 'commune_government', true, '2023-03-01', '2022-09-15', NULL),
    ('00000000-0000-4000-8000-400000000002', 'demo-member-25747-commune-2', '00000000-0000-4000-8000-300000000001', 'Lê Thị Thu Hà', 'female', 1988, '0940001697', NULL,
     'deputy', 'youth_union', true, '2023-02-03', '2022-09-15', NULL),
    ('00000000-0000-4000-8000-400000000003', 'demo-member-25747-commune-3', '00000000-0000-4000-8000-300000000001', 'Nguyễn Văn Dũng', 'male', 1982, '0932926776', NULL,
     'member', 'police', false, NULL, '2022-09-15', NULL),
    ('00000000-0000-4000-8000-400000000004', 'demo-member-25747-commune-4', '00000000-0000-4000-8000-300000000001', 'Phạm Thị Ngọc Ánh', 'female', 1990, '0917727234', 'anh.ptn90@example.vn',
     'member', 'women_union', true, '2022-12-06', '2022-09-15', NULL),
    ('00000000-0000-4000-8000-400000000005', 'demo-member-25747-commune-5', '00000000-0000-4000-8000-300000000001', 'Võ Minh Tuấn', 'male', 1993, '0948484525', 'tuan.vm93@example.vn',
     'member', 'telecom', true, '2022-10-25', '2022-09-15', NULL),
    ('00000000-0000-4000-8000-400000000006', 'demo-member-25747-kp1-1', '00000000-0000-4000-8000-300000000002', 'Huỳnh Văn Phước', 'male', 1966, '0939285635', NULL,
     'leader', 'hamlet_head', false, NULL, '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000007', 'demo-member-25747-kp1-2', '00000000-0000-4000-8000-300000000002', 'Đặng Thị Mỹ Linh', 'female', 1997, '0901973294', NULL,
     'deputy', 'youth_union', true, '2022-12-05', '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000008', 'demo-member-25747-kp1-3', '00000000-0000-4000-8000-300000000002', 'Bùi Văn Sang', 'male', 1971, '0918971471', NULL,
     'member', 'police', false, '2022-12-30', '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000009', 'demo-member-25747-kp1-4', '00000000-0000-4000-8000-300000000002', 'Ngô Thị Kim Loan', 'female', 1979, '0960326782', NULL,
     'member', 'women_union', false, NULL, '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000010', 'demo-member-25747-kp1-5', '00000000-0000-4000-8000-300000000002', 'Lý Hoàng Nam', 'male', 2001, '0902848478', NULL,
     'member', 'volunteer', true, '2023-06-04', '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000011', 'demo-member-25747-kp2-1', '00000000-0000-4000-8000-300000000003', 'Phan Văn Lợi', 'male', 1963, '0939923423', NULL,
     'leader', 'hamlet_head', false, NULL, '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000012', 'demo-member-25747-kp2-2', '00000000-0000-4000-8000-300000000003', 'Trương Thị Bích Ngọc', 'female', 1995, '0941429627', NULL,
     'deputy', 'youth_union', true, '2023-05-05', '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000013', 'demo-member-25747-kp2-3', '00000000-0000-4000-8000-300000000003', 'Đỗ Văn Thành', 'male', 1985, '0915230226', NULL,
     'member', 'military', false, '2023-02-23', '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000014', 'demo-member-25747-kp2-4', '00000000-0000-4000-8000-300000000003', 'Nguyễn Thị Hồng Nhung', 'female', 1992, '0936202316', 'nhung.nth92@example.vn',
     'member', 'women_union', true, '2023-02-23', '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000015', 'demo-member-25747-kp2-5', '00000000-0000-4000-8000-300000000003', 'Hồ Văn Tài', 'male', 1958, '0984558495', NULL,
     'member', 'veterans_union', false, '2023-05-10', '2022-09-20', '2024-03-31'),
    ('00000000-0000-4000-8000-400000000016', 'demo-member-25747-kp3-1', '00000000-0000-4000-8000-300000000004', 'Lâm Văn Hiếu', 'male', 1968, '0912487833', NULL,
     'leader', 'hamlet_head', false, NULL, '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000017', 'demo-member-25747-kp3-2', '00000000-0000-4000-8000-300000000004', 'Châu Thị Thanh Tâm', 'female', 1987, '0937008967', 'tam.ctt87@example.vn',
     'member', 'women_union', true, '2023-06-04', '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000018', 'demo-member-25747-kp3-3', '00000000-0000-4000-8000-300000000004', 'Dương Minh Khoa', 'male', 1999, '0904796783', 'khoa.dm99@example.vn',
     'member', 'youth_union', true, '2023-05-17', '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000019', 'demo-member-25747-kp3-4', '00000000-0000-4000-8000-300000000004', 'Vũ Thị Lan', 'female', 1974, '0901015670', NULL,
     'member', 'fatherland_front', false, '2023-05-01', '2022-09-20', NULL),
    ('00000000-0000-4000-8000-400000000020', 'demo-member-25747-kp4-1', '00000000-0000-4000-8000-300000000005', 'Mai Văn Tùng', 'male', 1970, '0901279393', NULL,
     'leader', 'hamlet_head', true, '2023-03-19', '2022-10-05', NULL),
    ('00000000-0000-4000-8000-400000000021', 'demo-member-25747-kp4-2', '00000000-0000-4000-8000-300000000005', 'Tạ Thị Diễm', 'female', 1996, '0983133502', NULL,
     'deputy', 'youth_union', true, '2022-12-03', '2022-10-05', NULL),
    ('00000000-0000-4000-8000-400000000022', 'demo-member-25747-ent-1', '00000000-0000-4000-8000-300000000007', 'Nguyễn Hoàng Long', 'male', 1984, '0964806698', 'long.nh84@example.vn',
     'leader', 'enterprise', true, '2023-07-19', '2023-03-01', NULL),
    ('00000000-0000-4000-8000-400000000023', 'demo-member-25747-ent-2', '00000000-0000-4000-8000-300000000007', 'Trần Thị Phương Thảo', 'female', 1991, '0943904812', NULL,
     'deputy', 'trade_union', true, '2023-11-08', '2023-03-01', NULL),
    ('00000000-0000-4000-8000-400000000024', 'demo-member-25747-ent-3', '00000000-0000-4000-8000-300000000007', 'Lê Minh Trí', 'male', 1996, '0931583346', 'tri.lm96@example.vn',
     'member', 'enterprise', true, '2023-05-24', '2023-03-01', NULL),
    ('00000000-0000-4000-8000-400000000025', 'demo-member-25942-commune-1', '00000000-0000-4000-8000-300000000008', 'Phạm Văn Khánh', 'male', 1973, '0973866434', 'khanh.pv73@example.vn',
     'leader', 'commune_government', true, '2023-06-02', '2022-10-10', NULL),
    ('00000000-0000-4000-8000-400000000026', 'demo-member-25942-commune-2', '00000000-0000-4000-8000-300000000008', 'Nguyễn Thị Thùy Dung', 'female', 1989, '0970287232', 'dung.ntt89@example.vn',
     'deputy', 'youth_union', true, '2023-06-17', '2022-10-10', NULL),
    ('00000000-0000-4000-8000-400000000027', 'demo-member-25942-commune-3', '00000000-0000-4000-8000-300000000008', 'Trần Văn Bình', 'male', 1980, '0979552988', NULL,
     'member', 'police', false, '2023-03-26', '2022-10-10', NULL),
    ('00000000-0000-4000-8000-400000000028', 'demo-member-25942-commune-4', '00000000-0000-4000-8000-300000000008', 'Huỳnh Thị Mai', 'female', 1986, '0907411928', 'mai.ht86@example.vn',
     'member', 'telecom', true, '2023-05-15', '2022-10-10', NULL),
    ('00000000-0000-4000-8000-400000000029', 'demo-member-25942-kp1-1', '00000000-0000-4000-8000-300000000009', 'Lê Văn Tư', 'male', 1962, '0943403938', NULL,
     'leader', 'hamlet_head', false, NULL, '2022-10-12', NULL),
    ('00000000-0000-4000-8000-400000000030', 'demo-member-25942-kp1-2', '00000000-0000-4000-8000-300000000009', 'Võ Thị Ngọc Trâm', 'female', 1998, '0912088663', NULL,
     'deputy', 'youth_union', true, '2023-01-13', '2022-10-12', NULL),
    ('00000000-0000-4000-8000-400000000031', 'demo-member-25942-kp1-3', '00000000-0000-4000-8000-300000000009', 'Đinh Văn Hậu', 'male', 1977, '0962567873', NULL,
     'member', 'police', false, '2023-05-25', '2022-10-12', NULL),
    ('00000000-0000-4000-8000-400000000032', 'demo-member-25942-kp1-4', '00000000-0000-4000-8000-300000000009', 'Cao Thị Hạnh', 'female', 1983, '0944803477', NULL,
     'member', 'women_union', false, NULL, '2022-10-12', NULL),
    ('00000000-0000-4000-8000-400000000033', 'demo-member-25942-kp2-1', '00000000-0000-4000-8000-300000000010', 'Nguyễn Văn Chín', 'male', 1965, '0905982506', NULL,
     'leader', 'hamlet_head', false, '2023-05-09', '2022-10-12', NULL),
    ('00000000-0000-4000-8000-400000000034', 'demo-member-25942-kp2-2', '00000000-0000-4000-8000-300000000010', 'Trần Thị Lệ', 'female', 1972, '0903693303', NULL,
     'deputy', 'women_union', false, '2023-01-30', '2022-10-12', NULL),
    ('00000000-0000-4000-8000-400000000035', 'demo-member-25942-kp2-3', '00000000-0000-4000-8000-300000000010', 'Phan Văn Hòa', 'male', 1960, '0942972141', NULL,
     'member', 'veterans_union', false, NULL, '2022-10-12', NULL),
    ('00000000-0000-4000-8000-400000000036', 'demo-member-25942-ent-1', '00000000-0000-4000-8000-300000000011', 'Lương Thị Kim Chi', 'female', 1990, '0948617539', NULL,
     'deputy', 'trade_union', true, '2023-12-20', '2023-05-15', NULL),
    ('00000000-0000-4000-8000-400000000037', 'demo-member-25942-ent-2', '00000000-0000-4000-8000-300000000011', 'Hà Văn Lực', 'male', 1994, '0904273028', 'luc.hv94@example.vn',
     'member', 'enterprise', false, '2023-07-23', '2023-05-15', NULL),
    ('00000000-0000-4000-8000-400000000038', 'demo-member-25942-ent-3', '00000000-0000-4000-8000-300000000011', 'Nguyễn Thị Yến', 'female', 1999, '0933987916', 'yen.nt99@example.vn',
     'member', 'enterprise', true, '2023-06-28', '2023-05-15', NULL),
    ('00000000-0000-4000-8000-400000000039', 'demo-member-25966-commune-1', '00000000-0000-4000-8000-300000000012', 'Đoàn Văn Thịnh', 'male', 1978, '0970152230', 'thinh.dv78@example.vn',
     'leader', 'commune_government', true, '2023-02-28', '2022-11-01', NULL),
    ('00000000-0000-4000-8000-400000000040', 'demo-member-25966-commune-2', '00000000-0000-4000-8000-300000000012', 'Lê Thị Kiều Oanh', 'female', 1992, '0988731381', NULL,
     'member', 'youth_union', true, '2023-07-15', '2022-11-01', NULL),
    ('00000000-0000-4000-8000-400000000041', 'demo-member-25966-commune-3', '00000000-0000-4000-8000-300000000012', 'Trịnh Văn Đạt', 'male', 1988, '0903186070', 'dat.tv88@example.vn',
     'member', 'telecom', true, '2022-12-23', '2022-11-01', NULL),
    ('00000000-0000-4000-8000-400000000042', 'demo-member-25789-ap-dinhtho-1', '00000000-0000-4000-8000-300000000013', 'Võ Văn Mười', 'male', 1964, '0946121040', NULL,
     'leader', 'hamlet_head', false, NULL, '2022-11-20', NULL),
    ('00000000-0000-4000-8000-400000000043', 'demo-member-25789-ap-dinhtho-2', '00000000-0000-4000-8000-300000000013', 'Nguyễn Thị Bé Tư', 'female', 2000, '0967463086', NULL,
     'deputy', 'youth_union', true, '2023-07-25', '2022-11-20', NULL),
    ('00000000-0000-4000-8000-400000000044', 'demo-member-25789-ap-dinhtho-3', '00000000-0000-4000-8000-300000000013', 'Trần Văn Út', 'male', 1969, '0982961761', NULL,
     'member', 'farmers_union', false, NULL, '2022-11-20', NULL),
    ('00000000-0000-4000-8000-400000000045', 'demo-member-25789-ap-dinhtho-4', '00000000-0000-4000-8000-300000000013', 'Lê Thị Sáu', 'female', 1976, '0941881454', NULL,
     'member', 'women_union', false, '2023-03-04', '2022-11-20', NULL),
    ('00000000-0000-4000-8000-400000000046', 'demo-member-25789-ap-dinhtho-5', '00000000-0000-4000-8000-300000000013', 'Phạm Văn Hai', 'male', 1981, '0972919484', NULL,
     'member', 'military', false, NULL, '2022-11-20', NULL),
    ('00000000-0000-4000-8000-400000000047', 'demo-member-25789-ap-dinhtho-6', '00000000-0000-4000-8000-300000000013', 'Đặng Văn Bảy', 'male', 1958, '0930097107', NULL,
     'member', 'veterans_union', false, NULL, '2022-11-20', NULL),
    ('00000000-0000-4000-8000-400000000048', 'demo-member-25789-ap-dinhtho-7', '00000000-0000-4000-8000-300000000013', 'Huỳnh Thị Thu', 'female', 1994, '0915782359', NULL,
     'member', 'school', true, '2023-01-11', '2022-11-20', NULL),
    ('00000000-0000-4000-8000-400000000049', 'demo-member-25789-ap-dinhtho-8', '00000000-0000-4000-8000-300000000013', 'Nguyễn Văn Tám', 'male', 1987, '0948377969', NULL,
     'member', 'police', false, '2023-05-30', '2022-11-20', NULL),
    ('00000000-0000-4000-8000-400000000050', 'demo-member-25789-htx-1', '00000000-0000-4000-8000-300000000014', 'Bùi Văn Lâm', 'male', 1970, '0918564659', 'lam.bv70@example.vn',
     'leader', 'enterprise', true, '2023-10-11', '2023-06-01', NULL),
    ('00000000-0000-4000-8000-400000000051', 'demo-member-25789-htx-2', '00000000-0000-4000-8000-300000000014', 'Nguyễn Thị Hoa', 'female', 1985, '0961942687', NULL,
     'member', 'farmers_union', false, NULL, '2023-06-01', NULL),
    ('00000000-0000-4000-8000-400000000052', 'demo-member-25789-htx-3', '00000000-0000-4000-8000-300000000014', 'Trần Minh Nhựt', 'male', 1997, '0965855350', 'nhut.tm97@example.vn',
     'member', 'volunteer', true, '2024-02-11', '2023-06-01', NULL);

-- Activities of 2024, under the old units: four per active team (March, June, September,
-- November), figures made from the team's number so that each team differs.
INSERT INTO activities (external_id, team_id, held_on, kind, title, location, people_reached, outcomes)
SELECT format('demo-act-%s-2024-%s', t.external_id, m.n), t.id, make_date(2024, m.month, 5 + 3 * m.n),
       m.kind, m.title, t.name, 20 + 7 * m.n + (right(t.id::text, 2))::int,
       jsonb_build_object('vneid_activations', 5 + m.n + (right(t.id::text, 2))::int % 7,
                          'public_service_applications', 2 * m.n)
  FROM teams t,
       (VALUES (1, 3, 'vneid', 'Hướng dẫn kích hoạt định danh điện tử VNeID'),
               (2, 6, 'public_services', 'Hướng dẫn nộp hồ sơ dịch vụ công trực tuyến'),
               (3, 9, 'cashless_payment', 'Hướng dẫn mở tài khoản thanh toán không dùng tiền mặt'),
               (4, 11, 'digital_skills', 'Phổ biến kỹ năng số cho người dân')) m (n, month, kind, title)
 WHERE t.id::text LIKE '00000000-0000-4000-8000-3%' AND t.status = 'active';

-- Bình Dương's annual report of 2024 to all its communes: Phú Cường on time, Dĩ An late, the rest
-- overdue. It stays with the old units: its due date passed before they closed.
INSERT INTO deadlines (id, title, description, kind, due_on, issued_by_unit, target_level, scope_unit)
VALUES ('00000000-0000-4000-8000-500000000001', 'Báo cáo kết quả hoạt động Tổ CNSCĐ năm 2024',
        'Theo Kế hoạch 4862/KH-UBND', 'report', '2024-12-31', unit_key('74', '2025-06-30'), 'commune',
        unit_key('74', '2025-06-30'));
SELECT deadline_materialize('00000000-0000-4000-8000-500000000001');
UPDATE deadline_targets SET completed_at = '2024-12-20 10:00+07', completed_by = 'demo.commune', note = 'Đã gửi báo cáo'
 WHERE deadline_id = '00000000-0000-4000-8000-500000000001' AND unit_code = unit_key('25747', '2025-06-30');
UPDATE deadline_targets SET completed_at = '2025-01-06 09:00+07', completed_by = 'demo.commune.dian', note = 'Gửi muộn'
 WHERE deadline_id = '00000000-0000-4000-8000-500000000001' AND unit_code = unit_key('25942', '2025-06-30');

-- Accounts, all with password demo12345. One yescrypt hash serves them all; make others with
-- `echo -n secret | build/cdt-server --hash-password`.
\set demo_hash '$y$j9T$eDaEb.UG3Q/B/EeLyQQk/1$OWcsfskXAtlx0o2GVLuvmSxrwfMwHYWoqCMTzkOTjl3'
INSERT INTO users (id, username, password_hash, full_name, role, unit_code, enterprise_id, read_only)
SELECT id::uuid, username, password_hash, full_name, role, unit_key(unit_code, '2025-06-30'), enterprise_id::uuid, read_only FROM (VALUES
    ('00000000-0000-4000-8000-100000000001', 'demo.province', :'demo_hash', 'Demo cấp tỉnh – Tỉnh Bình Dương',
     'province', '74', NULL, false),
    ('00000000-0000-4000-8000-100000000002', 'demo.district', :'demo_hash', 'Demo cấp huyện – Thành phố Thủ Dầu Một',
     'district', '718', NULL, false),
    ('00000000-0000-4000-8000-100000000003', 'demo.commune', :'demo_hash', 'Demo cấp xã – Phường Phú Cường',
     'commune', '25747', NULL, false),
    ('00000000-0000-4000-8000-100000000004', 'demo.enterprise', :'demo_hash', 'Demo doanh nghiệp – Công ty Cổ phần Công nghệ Số Thủ Dầu Một',
     'enterprise', NULL, '00000000-0000-4000-8000-200000000001', false),
    ('00000000-0000-4000-8000-100000000005', 'demo.readonly', :'demo_hash', 'Demo chỉ xem – Tỉnh Bình Dương',
     'province', '74', NULL, true),
    ('00000000-0000-4000-8000-100000000006', 'demo.commune.dian', :'demo_hash', 'Demo cấp xã – Phường Dĩ An',
     'commune', '25942', NULL, false)) v (id, username, password_hash, full_name, role, unit_code, enterprise_id, read_only);

-- The reform of 1 July 2025: the new units from that day, Bình Dương's closing on it (the 2025
-- list's rows for the 36 communes that came from 74, and 79 itself), then which took the place
-- of which (the shared merges file's rows for 74), as a national account would import them.
TRUNCATE seed_units;
\copy seed_units FROM 'sql/seed/units-79-2025.csv' WITH (FORMAT csv, HEADER true)
SELECT * FROM units_load((SELECT jsonb_agg(to_jsonb(s)) FROM seed_units s), '2025-07-01', ARRAY['74']);
CREATE TEMP TABLE seed_merges (old_code text, old_name text, new_code text, new_name text,
                               new_province_code text, share text) ON COMMIT DROP;
\copy seed_merges FROM 'sql/seed/merges-74.csv' WITH (FORMAT csv, HEADER true)
SELECT unit_successors_load((SELECT jsonb_agg(jsonb_build_object('old_code', old_code, 'new_code', new_code,
                                                                  'share', share)) FROM seed_merges),
                            '2025-07-01');

-- A national account: the one who loads the national lists and re-homes (every unit in scope).
INSERT INTO users (id, username, password_hash, full_name, role, unit_code, enterprise_id, read_only) VALUES
    ('00000000-0000-4000-8000-100000000007', 'demo.national', :'demo_hash', 'Demo vận hành toàn quốc',
     'national', NULL, NULL, false);

-- The reform: everything still filed under Bình Dương's old units moves to the units that took
-- their place (teams and their members and activities, enterprises, accounts), as an operator
-- would with POST /api/v1/rehome. No demo record lies in a commune split in parts. demo.district
-- keeps district 718, which has no successor: its account is refused at sign-in.
SELECT count(*) AS rehomed FROM rehome_apply('*', NULL, NULL, NULL, NULL, 'demo seed (sql/seed/demo.sql)', NULL)
 WHERE status = 'move';
UPDATE users SET full_name = CASE username
        WHEN 'demo.province' THEN 'Demo cấp tỉnh – Thành phố Hồ Chí Minh'
        WHEN 'demo.readonly' THEN 'Demo chỉ xem – Thành phố Hồ Chí Minh'
        WHEN 'demo.commune' THEN 'Demo cấp xã – Phường Thủ Dầu Một'
        WHEN 'demo.commune.dian' THEN 'Demo cấp xã – Phường Dĩ An'
        WHEN 'demo.district' THEN 'Demo cấp huyện – Thành phố Thủ Dầu Một (giải thể 01/07/2025)'
        ELSE full_name END
 WHERE username LIKE 'demo.%';

-- Activities of 2026, in the new units: three per active team (February, May, October).
INSERT INTO activities (external_id, team_id, held_on, kind, title, location, people_reached, outcomes)
SELECT format('demo-act-%s-2026-%s', t.external_id, m.n), t.id, make_date(2026, m.month, 8 + 2 * m.n),
       m.kind, m.title, t.name, 30 + 9 * m.n + (right(t.id::text, 2))::int,
       jsonb_build_object('vneid_activations', 8 + m.n + (right(t.id::text, 2))::int % 5,
                          'app_installs', 3 * m.n)
  FROM teams t,
       (VALUES (1, 2, 'vneid', 'Hỗ trợ người dân dùng VNeID sau sắp xếp đơn vị hành chính'),
               (2, 5, 'public_services', 'Hướng dẫn thủ tục tại phường, xã mới'),
               (3, 10, 'cyber_safety', 'Tuyên truyền phòng chống lừa đảo trực tuyến')) m (n, month, kind, title)
 WHERE t.id::text LIKE '00000000-0000-4000-8000-3%' AND t.status = 'active';

COMMIT;
