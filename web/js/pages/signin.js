// pages/signin.js — #/signin: username and password; afterwards back to the page the person was
// on (or the dashboard).

import * as api from '../api.js';
import { form, h, notice } from '../dom.js';
import { problemText, T } from '../i18n.js';

export async function render(ctx) {
  const { view, query } = ctx;
  const f = form([
    { name: 'username', label: T.username, required: true, autocomplete: 'username' },
    { name: 'password', label: T.password, type: 'password', required: true, autocomplete: 'current-password' },
  ], {
    id: 'signin-form',
    submitLabel: T.signIn,
    onSubmit: async (el) => {
      const username = el.field('username').read();
      const password = el.field('password').read();
      try {
        await api.login(username, password);
      } catch (err) {
        if (err instanceof api.ProblemError && err.status === 401) {
          el.field('password').set('');
          el.clearErrors();
          const alert = el.querySelector('.form-alert');
          alert.replaceChildren(notice('error', T.wrongCredentials));
          el.field('password').focus();
          return;
        }
        // 429: too many failures; 403: the account's unit was closed. The server's detail says which.
        if (err instanceof api.ProblemError && (err.status === 429 || err.status === 403)) {
          el.clearErrors();
          el.querySelector('.form-alert').replaceChildren(notice('error', problemText(err.status, err.detail)));
          return;
        }
        throw err;
      }
      ctx.returnAfterSignIn();
    },
  });
  const reason = query.get('reason');
  view.append(h('section', { class: 'signin panel', 'aria-labelledby': 'page-title' },
    h('h1', { id: 'page-title', tabindex: '-1' }, T.signInTitle),
    h('p', { class: 'muted' }, T.signInIntro),
    reason === 'expired' ? notice('info', T.sessionExpired) : null,
    query.get('out') ? notice('success', T.signedOut) : null,
    f));
  f.field('username').focus();
}
