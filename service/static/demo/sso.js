// Demo only (development): the "sign in as a demo user" switch. A real site signs the token on
// its own server for its logged-in reader and hands it to the widget, with data-sidenote-sso or
// Sidenote.login(token) (docs/sso.md). Here the demo server's /demo/sso-token plays that part.
(function () {
  var button = document.getElementById("demo-sso");
  if (!button) return;
  function signedIn() {
    try {
      return !!localStorage.getItem("sidenote:session:demo");
    } catch (error) {
      return false;
    }
  }
  function label() {
    button.textContent = signedIn() ? "Sign out the demo user" : "Sign in as a demo user";
  }
  button.hidden = false;
  label();
  button.addEventListener("click", function () {
    if (!window.Sidenote) return;
    button.disabled = true;
    var done = signedIn()
      ? window.Sidenote.logout()
      : fetch("/demo/sso-token", { method: "POST" })
          .then(function (answer) { return answer.json(); })
          .then(function (body) { return window.Sidenote.login(body.token); });
    done.finally(function () {
      button.disabled = false;
      label();
    });
  });
})();
