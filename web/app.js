// app.js — sign-in and the caller's list of teams. The token lives in sessionStorage only.
// Every value from the API is written with textContent, never as HTML.

const TOKEN_KEY = 'cdt.token';
const $ = (id) => document.getElementById(id);
const numberFormat = new Intl.NumberFormat('vi-VN');

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`/api/v1${path}`, { ...options, headers });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && path !== '/auth/login') {
    sessionStorage.removeItem(TOKEN_KEY);
    show();
  }
  return { status: response.status, body };
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.appendChild(td);
}

async function showTeams() {
  const me = await api('/auth/me');
  if (me.status !== 200) return;
  $('who').textContent = `${me.body.full_name || me.body.username}`;
  $('who').hidden = false;
  $('sign-out').hidden = false;
  const teams = await api('/teams?limit=100');
  if (teams.status !== 200) return;
  $('teams-total').textContent = `Tổng số: ${numberFormat.format(teams.body.total)} tổ`;
  const body = $('teams-body');
  body.replaceChildren();
  for (const team of teams.body.items) {
    const row = document.createElement('tr');
    cell(row, team.name);
    cell(row, team.unit_code);
    cell(row, numberFormat.format(team.member_count));
    cell(row, team.compliance.ok ? 'Đạt cơ cấu' : 'Chưa đạt cơ cấu');
    body.appendChild(row);
  }
  $('teams').hidden = false;
}

function show() {
  const signedIn = Boolean(sessionStorage.getItem(TOKEN_KEY));
  $('sign-in').hidden = signedIn;
  $('teams').hidden = true;
  $('who').hidden = true;
  $('sign-out').hidden = true;
  if (signedIn) showTeams();
}

$('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('sign-in-error').textContent = '';
  const result = await api('/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: $('username').value, password: $('password').value }),
  });
  if (result.status === 200) {
    sessionStorage.setItem(TOKEN_KEY, result.body.access_token);
    $('password').value = '';
    show();
  } else {
    $('sign-in-error').textContent =
      result.status === 401 ? 'Sai tên đăng nhập hoặc mật khẩu.' : 'Không đăng nhập được, vui lòng thử lại.';
  }
});

$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  show();
});

show();
