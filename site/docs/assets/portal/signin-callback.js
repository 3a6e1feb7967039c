// The sign-in callback page: trade the code for tokens and go back to where sign-in began.
import { completeSignIn, say } from "./api.js";

const status = document.getElementById("portal-signin-status");
try {
  location.replace(await completeSignIn());
} catch (error) {
  status.setAttribute("role", "alert");
  say(status, error.message, "error");
  document.getElementById("portal-signin-retry").hidden = false;
}
