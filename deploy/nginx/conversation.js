// Which conversation a request belongs to, so nginx can keep one conversation on one
// Rasa process (hash ... consistent). Any process can serve any conversation (the tracker
// store and the lock store are shared); this only keeps a conversation's messages together.
//   /conversations/<id>/...       Rasa's HTTP API
//   {"sender": "<id>", ...}       the REST channel
//   From=<caller>&...             the Twilio voice webhook (the caller's number, never logged)
// Anything else falls back to the client's address.

function id(r) {
    var match = r.uri.match(/^\/conversations\/([^\/]+)/);
    if (match) {
        return match[1];
    }
    var body;
    try {
        body = r.requestText;
    } catch (e) {
        body = undefined;
    }
    if (body) {
        var type = r.headersIn['Content-Type'] || '';
        if (type.indexOf('json') >= 0) {
            try {
                var parsed = JSON.parse(body);
                if (parsed && typeof parsed.sender === 'string') {
                    return parsed.sender;
                }
            } catch (e) {
                // not JSON: fall through
            }
        } else {
            var field = body.match(/(?:^|&)From=([^&]*)/);
            if (field) {
                return field[1];
            }
        }
    }
    return r.remoteAddress;
}

export default {id};
