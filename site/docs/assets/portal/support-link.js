// "Ask for help about this dossier": the link carries the dossier's code to the help form.
const link = document.querySelector("[data-portal-ask-help]");
const code = new URLSearchParams(location.search).get("ma");
if (link && code) link.href = `${link.getAttribute("href")}?ho-so=${encodeURIComponent(code)}`;
