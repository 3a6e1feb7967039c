// The account page: sign in or out; once signed in, the person's name (more sections build on it).
import { session, signIn, signOut } from "./api.js";

const root = document.querySelector("[data-portal-account]");
const current = session();
root.querySelector("[data-portal-signed-out]").hidden = Boolean(current);
root.querySelector("[data-portal-signed-in]").hidden = !current;
if (current) root.querySelector("[data-portal-name]").textContent = current.name;
root.querySelector("[data-portal-sign-in]").addEventListener("click", (event) => {
  event.preventDefault();
  signIn(location.href);
});
root.querySelector("[data-portal-sign-out]").addEventListener("click", signOut);
