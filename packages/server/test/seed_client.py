# The Python example of ../shared/seed/predict-api.txt, run against our server by
# seed-client.test.ts. Kept as the seed wrote it except: the URL and the image path come from
# argv, and the image is read as raw file bytes where the seed used OpenCV
# (cv2.imread + cv2.imencode('.png')), which is not installed here. The requests + base64 +
# json= part is the seed's, unchanged.
import sys

import requests
import base64

url, path = sys.argv[1], sys.argv[2]

# Read and encode image
with open(path, 'rb') as f:  # seed: image = cv2.imread('photo.jpg'); _, buffer = cv2.imencode('.png', image)
    buffer = f.read()
base64_image = base64.b64encode(buffer).decode('utf-8')
data_url = f"data:image/png;base64,{base64_image}"

# Send request
response = requests.post(
    url,
    json={'image': data_url}
)

# Parse response
result = response.json()
if 'emotion' in result:
    print(f"Emotion: {result['emotion']}")
else:
    print(f"Error: {result.get('error', 'Unknown error')}")
